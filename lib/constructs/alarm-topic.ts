import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

/**
 * The conditions under which CloudWatch may use the alarm topic and its key: only alarms of this
 * account and region (confused-deputy protection for a service principal).
 */
function fromThisAccountsAlarms(scope: Construct): Record<string, Record<string, string>> {
  const stack = Stack.of(scope);
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
  };
}

/**
 * The SNS topic alarms notify: encrypted with a customer-managed key that CloudWatch may use
 * (an AWS-managed SNS key would refuse CloudWatch's publishes), TLS-only, with an optional e-mail
 * subscription (the address must confirm it). `enforceSSL` gives the topic a policy of its own,
 * which replaces SNS's default one, so it must also allow CloudWatch to publish explicitly; both
 * that allow and the key grant are limited to this account's alarms.
 */
export function createAlarmTopic(scope: Construct, id: string, alarmEmail: string | undefined): sns.Topic {
  const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
  const conditions = fromThisAccountsAlarms(scope);
  const key = new kms.Key(scope, `${id}Key`, { enableKeyRotation: true, description: 'Switchyard alarm topic' });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToUseTheKey',
      principals: [cloudWatch],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions,
    }),
  );
  const topic = new sns.Topic(scope, id, { masterKey: key, enforceSSL: true, displayName: 'Switchyard alarms' });
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [cloudWatch],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions,
    }),
  );
  if (alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(alarmEmail));
  return topic;
}
