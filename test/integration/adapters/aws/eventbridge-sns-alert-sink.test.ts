import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { ALERT_DETAIL_TYPE, ALERT_EVENT_SOURCE, EventBridgeSnsAlertSink } from '../../../../functions/adapters/aws/eventbridge-sns-alert-sink';
import type { BudgetAlert } from '../../../../functions/core/alerts/budget-alerts';
import { startFakeAlertTargets, type FakeAlertTargets } from '../../../helpers/fake-alert-targets';

// The AWS alert sink against EventBridge and SNS test servers on 127.0.0.1: what the SDK clients
// really send, and a refused event as a failure.

const ALERT: BudgetAlert = { scope: 'teamuser#search#alice', owner: 'user alice of team search', periodKey: '2026-12', thresholdPercent: 80, limitUsd: 5, spentUsd: 4.01, at: '2026-12-02T10:00:00.000Z' };
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:budget-alerts';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('EventBridgeSnsAlertSink', () => {
  const started: FakeAlertTargets[] = [];
  afterAll(() => Promise.all(started.map((targets) => targets.close())));

  async function sinkTo(refuseEvents: boolean): Promise<{ sink: EventBridgeSnsAlertSink; targets: FakeAlertTargets }> {
    const targets = await startFakeAlertTargets({ refuseEvents });
    started.push(targets);
    const sink = new EventBridgeSnsAlertSink(new EventBridgeClient({ endpoint: targets.eventBridgeUrl, region: 'us-east-1', credentials }), new SNSClient({ endpoint: targets.snsUrl, region: 'us-east-1', credentials }), TOPIC);
    return { sink, targets };
  }

  it('puts one event on the default bus with the alert as its detail, and publishes one message to the topic', async () => {
    const { sink, targets } = await sinkTo(false);

    await sink.send(ALERT);

    expect(targets.events).toHaveLength(1);
    expect(targets.events[0]).toMatchObject({ Source: ALERT_EVENT_SOURCE, DetailType: ALERT_DETAIL_TYPE });
    expect(targets.events[0]?.EventBusName).toBeUndefined();
    expect(JSON.parse(targets.events[0]!.Detail)).toEqual(ALERT);
    expect(targets.messages).toHaveLength(1);
    expect(targets.messages[0]).toMatchObject({ TopicArn: TOPIC, Subject: 'Switchyard budget alert: 80% of user alice of team search' });
    expect(targets.messages[0]?.Message).toContain('Budget of user alice of team search reached 80% in 2026-12: spent $4.010000 of $5.000000.');
  });

  it('fails when EventBridge refuses the event, so the stream retries it', async () => {
    const { sink } = await sinkTo(true);

    await expect(sink.send(ALERT)).rejects.toThrow('EventBridge refused the budget alert: ThrottlingException Rate exceeded');
  });
});
