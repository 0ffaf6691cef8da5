import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An EventBridge `PutEvents` entry as received. */
interface ReceivedEvent {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName?: string;
}

/** EventBridge and SNS test servers on 127.0.0.1, where budget alerts are sent on AWS. */
export interface FakeAlertTargets {
  readonly eventBridgeUrl: string;
  readonly snsUrl: string;
  /** `PutEvents` entries received, in order. */
  readonly events: ReceivedEvent[];
  /** `Publish` calls received (TopicArn, Subject, Message), in order. */
  readonly messages: Record<string, string>[];
  close(): Promise<void>;
}

/**
 * Starts an EventBridge server speaking AWS JSON 1.1 (`AWSEvents.PutEvents`; `refuseEvents`
 * makes it report every entry failed, as a throttled bus does) and an SNS server answering
 * `Publish` in the protocol the client used (the Query protocol's XML, or JSON 1.0).
 */
export async function startFakeAlertTargets(options: { refuseEvents?: boolean } = {}): Promise<FakeAlertTargets> {
  const events: ReceivedEvent[] = [];
  const messages: Record<string, string>[] = [];
  const eventBridge = await listen((contentType, body) => {
    const entries = (JSON.parse(body) as { Entries: ReceivedEvent[] }).Entries;
    if (options.refuseEvents) return { contentType: 'application/x-amz-json-1.1', body: JSON.stringify({ FailedEntryCount: entries.length, Entries: entries.map(() => ({ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' })) }) };
    events.push(...entries);
    return { contentType: 'application/x-amz-json-1.1', body: JSON.stringify({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e-${events.length + i}` })) }) };
  });
  const sns = await listen((contentType, body) => {
    const json = contentType.includes('json');
    messages.push(json ? (JSON.parse(body) as Record<string, string>) : Object.fromEntries(new URLSearchParams(body)));
    return json
      ? { contentType: 'application/x-amz-json-1.0', body: JSON.stringify({ MessageId: `m-${messages.length}` }) }
      : { contentType: 'text/xml', body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-${messages.length}</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>` };
  });
  return {
    eventBridgeUrl: eventBridge.url,
    snsUrl: sns.url,
    events,
    messages,
    close: async () => {
      await Promise.all([eventBridge, sns].map(({ server }) => new Promise((resolve) => server.close(resolve))));
    },
  };
}

async function listen(answer: (contentType: string, body: string) => { contentType: string; body: string }): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (part: Buffer) => (body += part.toString()));
    req.on('end', () => {
      const reply = answer(req.headers['content-type'] ?? '', body);
      res.writeHead(200, { 'content-type': reply.contentType }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
