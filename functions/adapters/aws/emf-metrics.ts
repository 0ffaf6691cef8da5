import type { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '../../core/ports/metrics';
import { MetricName, providerAttemptCounts, requestMetrics } from '../../core/usage/request-metrics';
import type { AttemptOutcome } from '../../core/usage/request-record';
import type { UsageEvent } from '../../core/usage/usage-event';

/** Constructor options of {@link EmfMetrics}. */
export interface EmfMetricsOptions {
  /**
   * A Powertools Metrics instance built by the entry point with namespace `Switchyard`
   * (`METRICS_NAMESPACE`) and a service name. Powertools adds its `service` dimension to every
   * dimension set; it has one value per deployment, so cardinality stays low.
   */
  metrics: PowertoolsMetrics;
}

/**
 * The Metrics port on CloudWatch Embedded Metric Format through Powertools Metrics.
 *
 * `recordRequest` only keeps the event; {@link flush} (called after the response stream ends —
 * Powertools' `logMetrics` middleware would flush before the body streams, DESIGN §9) publishes
 * one EMF document per request, because EMF dimension values are per document: two requests
 * to different providers cannot share one. Each document carries the request's metrics under the
 * dimension sets [service], [service, Provider, Model], [service, ModelAlias], [service, Team],
 * then one document per provider model it attempted with `ProviderAttempts` and
 * `ProviderAttemptFailures` under [service, Provider, Model].
 *
 * @example
 * const metrics = new EmfMetrics({ metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'switchyard' }) });
 * metrics.recordRequest(event);
 * await metrics.flush();
 */
export class EmfMetrics implements Metrics {
  private requests: Array<{ event: UsageEvent; attempts: readonly AttemptOutcome[] }> = [];
  private deliveryFailures = 0;
  private auditFailures = 0;

  constructor(private readonly options: EmfMetricsOptions) {}

  /** Keeps the finished request until {@link flush}. */
  recordRequest(event: UsageEvent, attempts: readonly AttemptOutcome[] = []): void {
    this.requests.push({ event, attempts });
  }

  /** Adds to `UsageDeliveryFailures`, published with the next flush under [service]. */
  recordUsageDeliveryFailure(count: number): void {
    this.deliveryFailures += count;
  }

  /** Adds to `AuditDeliveryFailures`, published with the next flush under [service]. */
  recordAuditDeliveryFailure(count: number): void {
    this.auditFailures += count;
  }

  /** Publishes one EMF document per recorded request, then one for delivery failures if any. */
  async flush(): Promise<void> {
    const requests = this.requests;
    const failures = this.deliveryFailures;
    const auditFailures = this.auditFailures;
    this.requests = [];
    this.deliveryFailures = 0;
    this.auditFailures = 0;
    const powertools = this.options.metrics;
    for (const { event, attempts } of requests) {
      const { data, dimensionSets } = requestMetrics(event);
      for (const datum of data) powertools.addMetric(datum.name, datum.unit, datum.value);
      for (const set of dimensionSets) powertools.addDimensions(set);
      powertools.publishStoredMetrics();
      for (const counts of providerAttemptCounts(event, attempts)) {
        powertools.addMetric(MetricName.ProviderAttempts, 'Count', counts.attempts);
        powertools.addMetric(MetricName.ProviderAttemptFailures, 'Count', counts.failures);
        powertools.addDimensions(counts.dimensions);
        powertools.publishStoredMetrics();
      }
    }
    if (failures > 0 || auditFailures > 0) {
      if (failures > 0) powertools.addMetric(MetricName.UsageDeliveryFailures, 'Count', failures);
      if (auditFailures > 0) powertools.addMetric(MetricName.AuditDeliveryFailures, 'Count', auditFailures);
      powertools.publishStoredMetrics();
    }
  }
}
