import { FirehoseClient } from '@aws-sdk/client-firehose';
import { FirehoseUsageSink } from '../../../../functions/adapters/aws/firehose-json-sink';
import { TestClock } from '../../../helpers/test-clock';
import type { LogFields, Logger } from '../../../../functions/core/ports/logger';
import type { UsageEvent } from '../../../../functions/core/usage/usage-event';
import { startFakeFirehose, type FakeFirehose, type FirehoseBehaviour } from '../../../helpers/fake-firehose';
import { makeUsageEvent, makeUsageEvents } from '../../../helpers/usage-events';

const STREAM = 'switchyard-usage-test';

/** Backoff without waiting; the requested delays are kept for inspection. */
function instantClock(): TestClock {
  return new TestClock(0);
}

function recordingLogger(): Logger & { errors: { message: string; fields?: LogFields }[] } {
  const errors: { message: string; fields?: LogFields }[] = [];
  return { errors, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (message, fields) => void errors.push({ message, fields }) };
}

interface Harness {
  firehose: FakeFirehose;
  sink: FirehoseUsageSink;
  logger: ReturnType<typeof recordingLogger>;
  failures: number[];
  clock: ReturnType<typeof instantClock>;
}

let firehose: FakeFirehose | undefined;
const savedEndpoint = process.env.AWS_ENDPOINT_URL_FIREHOSE;

async function harness(behaviour?: FirehoseBehaviour, maxAttempts = 4): Promise<Harness> {
  firehose = await startFakeFirehose(behaviour);
  // The real SDK client finds the fake through the service-specific endpoint variable.
  process.env.AWS_ENDPOINT_URL_FIREHOSE = firehose.url;
  const client = new FirehoseClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const logger = recordingLogger();
  const failures: number[] = [];
  const clock = instantClock();
  const sink = new FirehoseUsageSink({
    client,
    streamName: STREAM,
    logger,
    clock,
    maxAttempts,
    metrics: { recordUsageDeliveryFailure: (count) => void failures.push(count) },
  });
  return { firehose, sink, logger, failures, clock };
}

afterEach(async () => {
  await firehose?.close();
  firehose = undefined;
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_FIREHOSE;
  else process.env.AWS_ENDPOINT_URL_FIREHOSE = savedEndpoint;
});

const requestIds = (records: string[]): string[] => records.map((record) => (JSON.parse(record) as UsageEvent).request_id);

async function writeAll(sink: FirehoseUsageSink, events: UsageEvent[]): Promise<void> {
  for (const event of events) await sink.write(event);
}

describe('FirehoseUsageSink', () => {
  it('buffers events until flush, then sends them as newline-delimited JSON records in one call', async () => {
    const { firehose, sink, logger, failures } = await harness();
    const events = makeUsageEvents(3);

    await writeAll(sink, events);
    const callsBeforeFlush = firehose.calls.length;
    await sink.flush();

    expect(callsBeforeFlush).toBe(0);
    expect(firehose.calls).toHaveLength(1);
    expect(firehose.calls[0]?.streamName).toBe(STREAM);
    expect(firehose.calls[0]?.records.every((record) => record.endsWith('}\n') && record.indexOf('\n') === record.length - 1)).toBe(true);
    expect(firehose.calls[0]?.records.map((record) => JSON.parse(record))).toEqual(events);
    expect(logger.errors).toEqual([]);
    expect(failures).toEqual([]);
  });

  it('sends nothing when nothing was written', async () => {
    const { firehose, sink } = await harness();

    await sink.flush();

    expect(firehose.calls).toHaveLength(0);
  });

  it('resends only the records Firehose reported as failed', async () => {
    const failOnFirstCall = new Set(['req_0001', 'req_0003']);
    const { firehose, sink, failures } = await harness((_records, call) => ({
      kind: 'accept',
      failRecords: (record) => (call === 1 && failOnFirstCall.has(JSON.parse(record).request_id) ? 'ServiceUnavailableException' : undefined),
    }));
    const events = makeUsageEvents(5);

    await writeAll(sink, events);
    await sink.flush();

    expect(firehose.calls.map((call) => requestIds(call.records))).toEqual([
      ['req_0000', 'req_0001', 'req_0002', 'req_0003', 'req_0004'],
      ['req_0001', 'req_0003'],
    ]);
    expect(requestIds(firehose.stored).sort()).toEqual(events.map((event) => event.request_id));
    expect(failures).toEqual([]);
  });

  it('retries a whole rejected call and delivers every event exactly once', async () => {
    const { firehose, sink, failures } = await harness((_records, call) =>
      call <= 2 ? { kind: 'reject', status: 400, errorType: 'InvalidKMSResourceException' } : { kind: 'accept' },
    );
    const events = makeUsageEvents(4);

    await writeAll(sink, events);
    await sink.flush();

    expect(firehose.calls).toHaveLength(3);
    expect(requestIds(firehose.stored)).toEqual(events.map((event) => event.request_id));
    expect(failures).toEqual([]);
  });

  it('logs an event it cannot deliver whole, as one structured line, and counts it', async () => {
    const doomed = makeUsageEvent({ request_id: 'req_doomed', tags: { service: 'billing', feature: 'invoice' } });
    const { firehose, sink, logger, failures } = await harness(
      () => ({ kind: 'accept', failRecords: (record) => (JSON.parse(record).request_id === 'req_doomed' ? 'InternalFailure' : undefined) }),
      3,
    );
    const others = makeUsageEvents(2);

    await writeAll(sink, [others[0] as UsageEvent, doomed, others[1] as UsageEvent]);
    await sink.flush();

    expect(firehose.calls).toHaveLength(3);
    expect(requestIds(firehose.stored)).toEqual(['req_0000', 'req_0001']);
    expect(logger.errors).toHaveLength(1);
    const line = logger.errors[0];
    expect(line?.message).toBe('usage event not delivered');
    expect(line?.fields).toMatchObject({ delivery_stream: STREAM, error_code: 'InternalFailure' });
    expect(JSON.parse(JSON.stringify(line?.fields?.usage_event))).toEqual(doomed);
    expect(failures).toEqual([1]);
  });

  it('gives up on a stream that never accepts after the bounded attempts, losing nothing silently', async () => {
    const { firehose, sink, logger, failures, clock } = await harness(() => ({ kind: 'reject', status: 400, errorType: 'ResourceNotFoundException' }), 3);
    const events = makeUsageEvents(2);

    await writeAll(sink, events);
    await expect(sink.flush()).resolves.toBeUndefined();

    expect(firehose.calls).toHaveLength(3);
    expect(clock.sleeps).toHaveLength(2);
    expect(clock.sleeps[1]).toBeGreaterThanOrEqual(clock.sleeps[0] as number);
    expect(logger.errors.map((line) => (line.fields?.usage_event as UsageEvent).request_id)).toEqual(['req_0000', 'req_0001']);
    expect(logger.errors.every((line) => line.fields?.error_code === 'ResourceNotFoundException')).toBe(true);
    expect(failures).toEqual([2]);
  });

  it('splits more than 500 events into calls within the Firehose limit', async () => {
    const { firehose, sink } = await harness();
    const events = makeUsageEvents(1203);

    await writeAll(sink, events);
    await sink.flush();

    expect(firehose.calls.map((call) => call.records.length)).toEqual([500, 500, 203]);
    expect(requestIds(firehose.stored)).toEqual(events.map((event) => event.request_id));
  });

  it('may duplicate records whose response was lost, and never loses one (at-least-once)', async () => {
    // Every third record fails on each of the first two calls; the first call's response is
    // lost after the records were stored, so those records arrive twice.
    const { firehose, sink, logger, failures } = await harness((_records, call) => {
      if (call === 1) return { kind: 'lose-response' };
      return { kind: 'accept', failRecords: (_record, index) => (call <= 3 && index % 3 === 0 ? 'ServiceUnavailableException' : undefined) };
    }, 6);
    const events = makeUsageEvents(30);

    await writeAll(sink, events);
    await sink.flush();

    const delivered = requestIds(firehose.stored);
    expect(new Set(delivered)).toEqual(new Set(events.map((event) => event.request_id)));
    const duplicates = delivered.length - new Set(delivered).size;
    expect(duplicates).toBeLessThanOrEqual(firehose.calls[0]?.records.length ?? 0);
    expect(logger.errors).toEqual([]);
    expect(failures).toEqual([]);
  });
});
