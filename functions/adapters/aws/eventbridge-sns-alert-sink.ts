import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { describeAlert, type AlertSink, type BudgetAlert } from '../../core/alerts/budget-alerts';

/** `source` of the EventBridge events; rules match on it and on {@link ALERT_DETAIL_TYPE}. */
export const ALERT_EVENT_SOURCE = 'switchyard';
/** `detail-type` of a budget alert event. */
export const ALERT_DETAIL_TYPE = 'Switchyard budget threshold crossed';

/**
 * Budget alerts on AWS: an event on the account's default EventBridge bus (`detail` is the alert)
 * and a message on the budget-alert SNS topic. Throws when either fails, so the caller retries.
 */
export class EventBridgeSnsAlertSink implements AlertSink {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async send(alert: BudgetAlert): Promise<void> {
    const text = describeAlert(alert);
    const [put] = await Promise.all([
      this.events.send(new PutEventsCommand({ Entries: [{ Source: ALERT_EVENT_SOURCE, DetailType: ALERT_DETAIL_TYPE, Detail: JSON.stringify(alert) }] })),
      // SNS subjects are at most 100 characters of one line.
      this.sns.send(new PublishCommand({ TopicArn: this.topicArn, Subject: `Switchyard budget alert: ${alert.thresholdPercent}% of ${alert.owner}`.slice(0, 100), Message: `${text}\n\n${JSON.stringify(alert, null, 2)}` })),
    ]);
    if ((put.FailedEntryCount ?? 0) > 0) throw new Error(`EventBridge refused the budget alert: ${put.Entries?.[0]?.ErrorCode ?? 'unknown'} ${put.Entries?.[0]?.ErrorMessage ?? ''}`);
  }
}
