import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake answers one PutRecordBatch call, given the decoded records of that call. */
export type FirehoseBehaviour = (records: string[], call: number) =>
  | { kind: 'accept'; failRecords?: (record: string, index: number) => string | undefined }
  | { kind: 'reject'; status: number; errorType: string }
  /** Stores the records, then drops the connection: the client never learns they arrived. */
  | { kind: 'lose-response' };

/** A PutRecordBatch call as received. */
interface FirehoseCall {
  target: string;
  streamName: string;
  records: string[];
}

/** A Firehose test server on 127.0.0.1 speaking the AWS JSON 1.1 protocol. */
export interface FakeFirehose {
  readonly url: string;
  /** Every call received, in order. */
  readonly calls: FirehoseCall[];
  /** Records the server stored, in arrival order (duplicates included). */
  readonly stored: string[];
  close(): Promise<void>;
}

/**
 * Starts a fake Firehose that understands `Firehose_20150804.PutRecordBatch`, decodes the base64
 * record data, and answers per `behaviour`: all accepted, some records failed with an
 * `ErrorCode` (and `FailedPutCount`), the whole call rejected, or the response lost.
 */
export async function startFakeFirehose(behaviour: FirehoseBehaviour = () => ({ kind: 'accept' })): Promise<FakeFirehose> {
  const calls: FirehoseCall[] = [];
  const stored: string[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const json = (name: string, status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(status >= 400 ? { 'x-amzn-errortype': name } : {}) });
        res.end(JSON.stringify(body));
      };
      if (target !== 'Firehose_20150804.PutRecordBatch') {
        json('UnknownOperationException', 400, { __type: 'UnknownOperationException', message: `unsupported target ${target}` });
        return;
      }
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { DeliveryStreamName: string; Records: { Data: string }[] };
      const records = body.Records.map((record) => Buffer.from(record.Data, 'base64').toString('utf8'));
      calls.push({ target, streamName: body.DeliveryStreamName, records });
      const outcome = behaviour(records, calls.length);
      if (outcome.kind === 'reject') {
        json(outcome.errorType, outcome.status, { __type: outcome.errorType, message: 'rejected by the fake' });
        return;
      }
      if (outcome.kind === 'lose-response') {
        stored.push(...records);
        res.socket?.destroy();
        return;
      }
      let failed = 0;
      const results = records.map((record, index) => {
        const errorCode = outcome.failRecords?.(record, index);
        if (errorCode) {
          failed += 1;
          return { ErrorCode: errorCode, ErrorMessage: 'failed by the fake' };
        }
        stored.push(record);
        return { RecordId: `record-${calls.length}-${index}` };
      });
      json('', 200, { FailedPutCount: failed, Encrypted: false, RequestResponses: results });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    stored,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
