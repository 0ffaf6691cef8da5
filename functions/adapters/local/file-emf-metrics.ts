import { join } from 'node:path';
import type { Logger } from '../../core/ports/logger';
import type { Metrics } from '../../core/ports/metrics';
import { METRICS_NAMESPACE, MetricName, providerAttemptCounts, requestMetrics, type MetricDatum } from '../../core/usage/request-metrics';
import type { AttemptOutcome } from '../../core/usage/request-record';
import type { UsageEvent } from '../../core/usage/usage-event';
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
 * Local metrics: the very EMF documents the Lambda function prints through Powertools Metrics
 * (same names, units, dimension sets and document per request, see `EmfMetrics`), appended one
 * per line to `<dataDir>/metrics.log` as each request finishes — a long-running server has no
 * invocation end to wait for. The file holds what CloudWatch would ingest, so `jq` over it
 * answers what a CloudWatch graph would, e.g.
 * `jq -s 'map(select(.Team=="search") | .CostUSD) | add' .switchyard/metrics.log`.
 * No Prometheus `/metrics` endpoint is served: one format, the one production uses.
 *
 * The documents are serialised here rather than by Powertools: Powertools re-reads the
 * environment and re-validates on every metric it is given, which cost a tenth of a millisecond
 * of CPU per request on the local server's hot path (decision 0011). A unit test holds the two
 * serialisations to the same documents.
 */
export class FileEmfMetrics implements Metrics {
  private readonly appender = new OrderedAppender();
  private readonly path: string;
  private readonly service: string;

  constructor(private readonly options: FileEmfMetricsOptions) {
    this.path = join(options.dataDir, 'metrics.log');
    this.service = options.serviceName ?? SERVICE_NAME;
  }

  /** Writes the request's documents right away: its metrics, then its attempts per provider model. */
  recordRequest(event: UsageEvent, attempts: readonly AttemptOutcome[] = []): void {
    const timestamp = Date.now();
    const { data, dimensionSets } = requestMetrics(event);
    let lines = this.document(timestamp, data, dimensionSets);
    for (const counts of providerAttemptCounts(event, attempts)) {
      const attemptData: MetricDatum[] = [
        { name: MetricName.ProviderAttempts, unit: 'Count', value: counts.attempts },
        { name: MetricName.ProviderAttemptFailures, unit: 'Count', value: counts.failures },
      ];
      lines += this.document(timestamp, attemptData, [counts.dimensions]);
    }
    this.write(lines);
  }

  /** Writes a document counting `count` undelivered usage events under [service]. */
  recordUsageDeliveryFailure(count: number): void {
    this.write(this.document(Date.now(), [{ name: MetricName.UsageDeliveryFailures, unit: 'Count', value: count }], [{}]));
  }

  /** Writes a document counting `count` undelivered audit records under [service]. */
  recordAuditDeliveryFailure(count: number): void {
    this.write(this.document(Date.now(), [{ name: MetricName.AuditDeliveryFailures, unit: 'Count', value: count }], [{}]));
  }

  /** Resolves once every request recorded so far is in `metrics.log`. */
  flush(): Promise<void> {
    return this.appender.idle();
  }

  /** Waits for pending lines and closes `metrics.log` (server shutdown). */
  async close(): Promise<void> {
    await this.appender.close();
  }

  /**
   * One EMF document as a line, shaped as Powertools shapes it: every dimension set starts with
   * `service`, the dimension values then the metric values follow `_aws` at the top level.
   */
  private document(timestamp: number, data: readonly MetricDatum[], dimensionSets: readonly Record<string, string>[]): string {
    const document: Record<string, unknown> = {
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: dimensionSets.map((set) => ['service', ...Object.keys(set)]),
            Metrics: data.map(({ name, unit }) => ({ Name: name, Unit: unit })),
          },
        ],
      },
      service: this.service,
    };
    for (const set of dimensionSets) Object.assign(document, set);
    for (const { name, value } of data) document[name] = value;
    return `${JSON.stringify(document)}\n`;
  }

  private write(lines: string): void {
    this.appender.append(this.path, lines).catch((error: unknown) => {
      this.options.logger.warn('metrics line not written', { error_message: error instanceof Error ? error.message : String(error) });
    });
  }
}
