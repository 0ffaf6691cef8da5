import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ALERT_DETAIL_TYPE, ALERT_EVENT_SOURCE, EventBridgeSnsAlertSink } from '../../../../functions/adapters/aws/eventbridge-sns-alert-sink';
import type { BudgetAlert } from '../../../../functions/core/alerts/budget-alerts';

// The AWS alert sink against small EventBridge (AWS JSON 1.1) and SNS (Query or JSON 1.0) test
// servers on 127.0.0.1: what the SDK clients really send, and a refused event as a failure.

interface Received {
  target: string | undefined;
  contentType: string | undefined;
  body: string;
}

/** A server that records each call and answers with `answer`. */
async function testServer(answer: (call: Received) => { status: number; contentType: string; body: string }): Promise<{ url: string; calls: Received[]; server: Server }> {
  const calls: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (part: Buffer) => (body += part.toString()));
    req.on('end', () => {
      const call = { target: req.headers['x-amz-target'] as string | undefined, contentType: req.headers['content-type'], body };
      calls.push(call);
      const reply = answer(call);
      res.writeHead(reply.status, { 'content-type': reply.contentType }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, server };
}

const ALERT: BudgetAlert = { scope: 'teamuser#search#alice', owner: 'user alice of team search', periodKey: '2026-12', thresholdPercent: 80, limitUsd: 5, spentUsd: 4.01, at: '2026-12-02T10:00:00.000Z' };
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:budget-alerts';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('EventBridgeSnsAlertSink', () => {
  const servers: Server[] = [];
  afterAll(async () => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

  async function sink(failEvents: boolean): Promise<{ sink: EventBridgeSnsAlertSink; events: Received[]; sns: Received[] }> {
    const events = await testServer(() => ({
      status: 200,
      contentType: 'application/x-amz-json-1.1',
      body: JSON.stringify(failEvents ? { FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }] } : { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] }),
    }));
    const sns = await testServer((call) =>
      call.contentType?.includes('json')
        ? { status: 200, contentType: 'application/x-amz-json-1.0', body: JSON.stringify({ MessageId: 'm-1' }) }
        : { status: 200, contentType: 'text/xml', body: '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>' },
    );
    servers.push(events.server, sns.server);
    return {
      sink: new EventBridgeSnsAlertSink(new EventBridgeClient({ endpoint: events.url, region: 'us-east-1', credentials }), new SNSClient({ endpoint: sns.url, region: 'us-east-1', credentials }), TOPIC),
      events: events.calls,
      sns: sns.calls,
    };
  }

  it('puts one event on the default bus with the alert as its detail, and publishes one message to the topic', async () => {
    const { sink: alertSink, events, sns } = await sink(false);

    await alertSink.send(ALERT);

    expect(events).toHaveLength(1);
    expect(events[0]!.target).toBe('AWSEvents.PutEvents');
    const [entry] = (JSON.parse(events[0]!.body) as { Entries: Array<{ Source: string; DetailType: string; Detail: string; EventBusName?: string }> }).Entries;
    expect(entry).toMatchObject({ Source: ALERT_EVENT_SOURCE, DetailType: ALERT_DETAIL_TYPE });
    expect(entry?.EventBusName).toBeUndefined();
    expect(JSON.parse(entry!.Detail)).toEqual(ALERT);
    expect(sns).toHaveLength(1);
    const published = sns[0]!.contentType?.includes('json') ? (JSON.parse(sns[0]!.body) as Record<string, string>) : Object.fromEntries(new URLSearchParams(sns[0]!.body));
    expect(published).toMatchObject({ TopicArn: TOPIC, Subject: 'Switchyard budget alert: 80% of user alice of team search' });
    expect(published.Message).toContain('Budget of user alice of team search reached 80% in 2026-12: spent $4.010000 of $5.000000.');
  });

  it('fails when EventBridge refuses the event, so the stream retries it', async () => {
    const { sink: alertSink } = await sink(true);

    await expect(alertSink.send(ALERT)).rejects.toThrow('EventBridge refused the budget alert: ThrottlingException Rate exceeded');
  });
});
