import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { join } from 'node:path';
import type { Logger } from '../../core/ports/logger';
import { METRICS_NAMESPACE } from '../../core/usage/request-metrics';
import type { AttemptOutcome } from '../../core/usage/request-record';
import type { UsageEvent } from '../../core/usage/usage-event';
import { EmfMetrics } from '../aws/emf-metrics';
import { OrderedAppender } from './ordered-appender';
import { SERVICE_NAME } from '../../deployment-names';

/** Constructor options of {@link FileEmfMetrics}. */
export interface FileEmfMetricsOptions {
  /** The server's data directory; metrics go to `<dataDir>/metrics.log`. */
  dataDir: string;
  /** Told when a line cannot be written. */
  logger: Logger;
  /** The `service` dimension (default `switchyard`). */
  serviceName?: string;
}

/**
 * Local metrics: the very EMF documents the Lambda function prints (same Powertools
 * serialisation, names, units and dimension sets), appended one per line to
 * `<dataDir>/metrics.log` as each request finishes — a long-running server has no invocation
 * end to wait for. The file holds what CloudWatch would ingest, so `jq` over it answers what a
 * CloudWatch graph would, e.g.
 * `jq -s 'map(select(.Team=="search") | .CostUSD) | add' .switchyard/metrics.log`.
 * No Prometheus `/metrics` endpoint is served: one format, the one production uses.
 */
export class FileEmfMetrics extends EmfMetrics {
  private readonly appender: OrderedAppender;
  private readonly logger: Logger;

  constructor(options: FileEmfMetricsOptions) {
    const appender = new OrderedAppender();
    const path = join(options.dataDir, 'metrics.log');
    super({
      metrics: new PowertoolsMetrics({ namespace: METRICS_NAMESPACE, serviceName: options.serviceName ?? SERVICE_NAME }),
      emit: (line) => appender.append(path, `${line}\n`),
    });
    this.appender = appender;
    this.logger = options.logger;
  }

  /** Records the request and writes its line right away. */
  override recordRequest(event: UsageEvent, attempts?: readonly AttemptOutcome[]): void {
    super.recordRequest(event, attempts);
    this.publishNow();
  }

  /** Counts undelivered usage events and writes the line right away. */
  override recordUsageDeliveryFailure(count: number): void {
    super.recordUsageDeliveryFailure(count);
    this.publishNow();
  }

  /** Counts undelivered audit records and writes the line right away. */
  override recordAuditDeliveryFailure(count: number): void {
    super.recordAuditDeliveryFailure(count);
    this.publishNow();
  }

  /** Resolves once every request recorded so far is in `metrics.log`. */
  override async flush(): Promise<void> {
    await super.flush();
    await this.appender.idle();
  }

  /** Waits for pending lines and closes `metrics.log` (server shutdown). */
  async close(): Promise<void> {
    await this.appender.close();
  }

  private publishNow(): void {
    this.flush().catch((error: unknown) => {
      this.logger.warn('metrics line not written', { error_message: error instanceof Error ? error.message : String(error) });
    });
  }
}
