import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '../../core/ports/logger';
import type { Metrics } from '../../core/ports/metrics';
import type { UsageSink } from '../../core/ports/usage-sink';
import type { UsageEvent } from '../../core/usage/usage-event';
import { OrderedAppender } from './ordered-appender';

/** Constructor options of {@link NdjsonUsageSink}. */
export interface NdjsonUsageSinkOptions {
  /** The server's data directory; events go under `<dataDir>/usage/dt=YYYY-MM-DD/`. */
  dataDir: string;
  /** Receives the whole event when it cannot be written. */
  logger: Logger;
  /** Counts events that could not be written (`UsageDeliveryFailures`). */
  metrics?: Pick<Metrics, 'recordUsageDeliveryFailure'>;
  /**
   * File name inside each day's directory. Defaults to one unique per sink, so two servers
   * sharing a data directory never write to the same file.
   */
  fileName?: string;
}

/**
 * The local usage sink: the same event objects as on AWS, one JSON line each, under
 * `<dataDir>/usage/dt=YYYY-MM-DD/<file>.ndjson` — the layout `switchyard report` reads with
 * DuckDB (`read_json_auto('<dataDir>/usage/dt=*\/*.ndjson')`), mirroring the S3 prefix.
 * The day is the UTC date of the event's `ts`. Appends are asynchronous and in write order.
 */
export class NdjsonUsageSink implements UsageSink {
  private readonly appender = new OrderedAppender();
  private readonly fileName: string;

  constructor(private readonly options: NdjsonUsageSinkOptions) {
    this.fileName = options.fileName ?? `part-${Date.now()}-${randomUUID().slice(0, 8)}.ndjson`;
  }

  /** Resolves once the event is appended; a failure is logged and counted, never thrown. */
  async write(event: UsageEvent): Promise<void> {
    try {
      const day = new Date(event.ts).toISOString().slice(0, 10);
      await this.appender.append(join(this.options.dataDir, 'usage', `dt=${day}`, this.fileName), `${JSON.stringify(event)}\n`);
    } catch (error) {
      this.options.logger.error('usage event not written', {
        usage_event: event,
        error_message: error instanceof Error ? error.message : String(error),
      });
      this.options.metrics?.recordUsageDeliveryFailure?.(1);
    }
  }

  /** Resolves once every event written so far is on disk. */
  flush(): Promise<void> {
    return this.appender.idle();
  }

  /** Waits for pending appends and closes the files (server shutdown). */
  close(): Promise<void> {
    return this.appender.close();
  }
}
