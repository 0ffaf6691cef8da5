import { PutRecordBatchCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import { systemClock, type Clock } from '../../core/ports/clock';
import type { Logger } from '../../core/ports/logger';
import type { Metrics } from '../../core/ports/metrics';
import type { AuditSink } from '../../core/ports/audit-sink';
import type { UsageSink } from '../../core/ports/usage-sink';
import type { AuditRecord } from '../../core/audit/audit-record';
import type { UsageEvent } from '../../core/usage/usage-event';

/** Firehose service limits for one PutRecordBatch call and one record. */
const MAX_RECORDS_PER_CALL = 500;
const MAX_BYTES_PER_CALL = 4 * 1024 * 1024;
const MAX_BYTES_PER_RECORD = 1000 * 1024;

/** Constructor options of a Firehose sink ({@link FirehoseUsageSink}, {@link FirehoseAuditSink}). */
export interface FirehoseSinkOptions {
  /** A configured SDK client (the entry point decides region, endpoint and credentials). */
  client: Pick<FirehoseClient, 'send'>;
  /** Name of the Firehose delivery stream. */
  streamName: string;
  /** Receives one structured line per event that could not be delivered. */
  logger: Logger;
  /** Counts undeliverable records (`UsageDeliveryFailures`, `AuditDeliveryFailures`). */
  metrics?: Pick<Metrics, 'recordUsageDeliveryFailure' | 'recordAuditDeliveryFailure'>;
  /** Time source for backoff; injectable so tests need not wait. */
  clock?: Clock;
  /** Calls per record before giving up, the first included (default 4). */
  maxAttempts?: number;
  /** Backoff before the second call; doubles on each further call (default 100 ms). */
  baseBackoffMs?: number;
}

/** What a sink delivers and how it reports a record it could not deliver. */
interface RecordKind {
  /** Log message of an undeliverable record (`usage event not delivered`). */
  lostMessage: string;
  /** Log field holding the whole record (`usage_event`). */
  logField: string;
  countLost(metrics: FirehoseSinkOptions['metrics'], count: number): void;
}

/** A record serialised once, as the newline-terminated JSON that lands in S3. */
interface PendingRecord<T> {
  event: T;
  data: Uint8Array;
  /** Why the last attempt failed, for the give-up log line. */
  lastError?: { code: string; message: string };
}

const encoder = new TextEncoder();

/**
 * Buffers the JSON records of an invocation and delivers them to Firehose with
 * `PutRecordBatch` when {@link flush} is called (after the response stream ends).
 *
 * Firehose is at-least-once and may reject single records of a batch (`FailedPutCount`), so only
 * the failed records are sent again, with exponential backoff, a bounded number of times. An event
 * that still cannot be delivered is logged whole as one structured line and counted, never
 * dropped silently; a retry after a lost response can duplicate records, which the reports
 * remove by deduplicating on `request_id`.
 *
 */
class FirehoseJsonSink<T> {
  private pending: PendingRecord<T>[] = [];
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly options: FirehoseSinkOptions,
    private readonly kind: RecordKind,
  ) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.baseBackoffMs = options.baseBackoffMs ?? 100;
    this.clock = options.clock ?? systemClock;
  }

  /** Buffers the record; nothing is sent until {@link flush}. */
  async write(event: T): Promise<void> {
    this.pending.push({ event, data: encoder.encode(`${JSON.stringify(event)}\n`) });
  }

  /**
   * Delivers every buffered event. Never throws: whatever is still undelivered after the last
   * attempt is logged and counted.
   */
  async flush(): Promise<void> {
    const records = this.pending;
    this.pending = [];
    const undeliverable: PendingRecord<T>[] = [];
    const sendable: PendingRecord<T>[] = [];
    for (const record of records) {
      if (record.data.byteLength > MAX_BYTES_PER_RECORD) {
        record.lastError = { code: 'RecordTooLarge', message: `record of ${record.data.byteLength} bytes exceeds the Firehose limit` };
        undeliverable.push(record);
      } else {
        sendable.push(record);
      }
    }
    for (const batch of toBatches(sendable)) {
      undeliverable.push(...(await this.deliver(batch)));
    }
    this.giveUp(undeliverable);
  }

  /** Sends one batch, retrying only the records that failed; returns those that never made it. */
  private async deliver(batch: PendingRecord<T>[]): Promise<PendingRecord<T>[]> {
    let remaining = batch;
    for (let attempt = 1; attempt <= this.maxAttempts && remaining.length > 0; attempt += 1) {
      if (attempt > 1) await this.clock.sleep(this.backoff(attempt));
      remaining = await this.attempt(remaining);
    }
    return remaining;
  }

  /** One PutRecordBatch call; returns the records it did not accept. */
  private async attempt(records: PendingRecord<T>[]): Promise<PendingRecord<T>[]> {
    try {
      const response = await this.options.client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: this.options.streamName,
          Records: records.map((record) => ({ Data: record.data })),
        }),
      );
      const results = response.RequestResponses ?? [];
      // A record counts as delivered only when Firehose returned a RecordId for it; anything
      // else (an ErrorCode, or a short response) is sent again.
      return records.filter((record, index) => {
        const result = results[index];
        if (result?.RecordId && !result.ErrorCode) return false;
        record.lastError = {
          code: result?.ErrorCode ?? 'MissingRecordResult',
          message: result?.ErrorMessage ?? 'no result for this record in the response',
        };
        return true;
      });
    } catch (error) {
      const code = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      for (const record of records) record.lastError = { code, message };
      return records;
    }
  }

  /** Exponential backoff with jitter so concurrent functions do not retry in lockstep. */
  private backoff(attempt: number): number {
    const ceiling = this.baseBackoffMs * 2 ** (attempt - 2);
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  private giveUp(records: PendingRecord<T>[]): void {
    if (records.length === 0) return;
    for (const record of records) {
      this.options.logger.error(this.kind.lostMessage, {
        [this.kind.logField]: record.event,
        delivery_stream: this.options.streamName,
        error_code: record.lastError?.code ?? null,
        error_message: record.lastError?.message ?? null,
      });
    }
    this.kind.countLost(this.options.metrics, records.length);
  }
}

/**
 * The usage sink on AWS: usage events to the usage delivery stream (see {@link FirehoseJsonSink}).
 *
 * @example
 * const sink = new FirehoseUsageSink({ client: new FirehoseClient({}), streamName, logger, metrics });
 * await sink.write(event); // buffered
 * await sink.flush();      // delivered, retried, or logged and counted
 */
export class FirehoseUsageSink extends FirehoseJsonSink<UsageEvent> implements UsageSink {
  constructor(options: FirehoseSinkOptions) {
    super(options, { lostMessage: 'usage event not delivered', logField: 'usage_event', countLost: (metrics, count) => metrics?.recordUsageDeliveryFailure?.(count) });
  }
}

/**
 * The audit sink on AWS: audit records to the audit delivery stream (see {@link FirehoseJsonSink});
 * one that cannot be delivered is logged whole and counted in `AuditDeliveryFailures`.
 */
export class FirehoseAuditSink extends FirehoseJsonSink<AuditRecord> implements AuditSink {
  constructor(options: FirehoseSinkOptions) {
    super(options, { lostMessage: 'audit record not delivered', logField: 'audit_record', countLost: (metrics, count) => metrics?.recordAuditDeliveryFailure?.(count) });
  }
}

/** Splits records into PutRecordBatch calls within the count and size limits. */
function toBatches<T>(records: PendingRecord<T>[]): PendingRecord<T>[][] {
  const batches: PendingRecord<T>[][] = [];
  let current: PendingRecord<T>[] = [];
  let bytes = 0;
  for (const record of records) {
    if (current.length === MAX_RECORDS_PER_CALL || bytes + record.data.byteLength > MAX_BYTES_PER_CALL) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += record.data.byteLength;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
