import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

/**
 * The SNS topic alarms notify: encrypted with a customer-managed key that CloudWatch may use
 * (an AWS-managed SNS key would refuse CloudWatch's publishes), TLS-only, with an optional e-mail
 * subscription (the address must confirm it).
 */
export function createAlarmTopic(scope: Construct, id: string, alarmEmail: string | undefined): sns.Topic {
  const key = new kms.Key(scope, `${id}Key`, { enableKeyRotation: true, description: 'Switchyard alarm topic' });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  const topic = new sns.Topic(scope, id, { masterKey: key, enforceSSL: true, displayName: 'Switchyard alarms' });
  if (alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(alarmEmail));
  return topic;
}
