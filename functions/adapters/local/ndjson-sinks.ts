import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { AuditRecord } from '../../core/audit/audit-record';
import type { AuditSink } from '../../core/ports/audit-sink';
import type { Logger } from '../../core/ports/logger';
import type { Metrics } from '../../core/ports/metrics';
import type { UsageSink } from '../../core/ports/usage-sink';
import type { UsageEvent } from '../../core/usage/usage-event';
import { OrderedAppender } from './ordered-appender';

/** Constructor options of {@link NdjsonUsageSink} and {@link NdjsonAuditSink}. */
export interface NdjsonSinkOptions {
  /** The server's data directory; records go under `<dataDir>/<usage|audit>/dt=YYYY-MM-DD/`. */
  dataDir: string;
  /** Receives the whole record when it cannot be written. */
  logger: Logger;
  /** Counts records that could not be written (`UsageDeliveryFailures`, `AuditDeliveryFailures`). */
  metrics?: Pick<Metrics, 'recordUsageDeliveryFailure' | 'recordAuditDeliveryFailure'>;
  /**
   * File name inside each day's directory. Defaults to one unique per sink, so two servers
   * sharing a data directory never write to the same file.
   */
  fileName?: string;
}

/** Where a sink writes and how it reports a record it could not write. */
interface RecordKind {
  /** Directory under the data directory, as the S3 prefix on AWS (`usage`, `audit`). */
  directory: string;
  lostMessage: string;
  logField: string;
  countLost(metrics: NdjsonSinkOptions['metrics']): void;
}

/**
 * Appends records as NDJSON under `<dataDir>/<directory>/dt=YYYY-MM-DD/<file>.ndjson`, mirroring
 * the S3 prefixes; the day is the UTC date of the record's `ts`. Appends are asynchronous and in
 * write order.
 */
class NdjsonDaySink<T extends { ts: string }> {
  private readonly appender = new OrderedAppender();
  private readonly fileName: string;

  constructor(
    private readonly options: NdjsonSinkOptions,
    private readonly kind: RecordKind,
  ) {
    this.fileName = options.fileName ?? `part-${Date.now()}-${randomUUID().slice(0, 8)}.ndjson`;
  }

  /** Resolves once the record is appended; a failure is logged and counted, never thrown. */
  async write(record: T): Promise<void> {
    try {
      const day = new Date(record.ts).toISOString().slice(0, 10);
      await this.appender.append(join(this.options.dataDir, this.kind.directory, `dt=${day}`, this.fileName), `${JSON.stringify(record)}\n`);
    } catch (error) {
      this.options.logger.error(this.kind.lostMessage, {
        [this.kind.logField]: record,
        error_message: error instanceof Error ? error.message : String(error),
      });
      this.kind.countLost(this.options.metrics);
    }
  }

  /** Resolves once every record written so far is on disk. */
  flush(): Promise<void> {
    return this.appender.idle();
  }

  /** Waits for pending appends and closes the files (server shutdown). */
  close(): Promise<void> {
    return this.appender.close();
  }
}

/**
 * The local usage sink: the same event objects as on AWS, one JSON line each, under
 * `<dataDir>/usage/dt=YYYY-MM-DD/<file>.ndjson` — the layout `switchyard report` reads with
 * DuckDB (`read_json_auto('<dataDir>/usage/dt=*\/*.ndjson')`), mirroring the S3 prefix.
 */
export class NdjsonUsageSink extends NdjsonDaySink<UsageEvent> implements UsageSink {
  constructor(options: NdjsonSinkOptions) {
    super(options, { directory: 'usage', lostMessage: 'usage event not written', logField: 'usage_event', countLost: (metrics) => metrics?.recordUsageDeliveryFailure?.(1) });
  }
}

/**
 * The local audit sink: the same records as on AWS under `<dataDir>/audit/dt=YYYY-MM-DD/`, which
 * `switchyard audit show` and `audit search` read with DuckDB.
 */
export class NdjsonAuditSink extends NdjsonDaySink<AuditRecord> implements AuditSink {
  constructor(options: NdjsonSinkOptions) {
    super(options, { directory: 'audit', lostMessage: 'audit record not written', logField: 'audit_record', countLost: (metrics) => metrics?.recordAuditDeliveryFailure?.(1) });
  }
}
