import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { join } from 'node:path';
import { METRICS_NAMESPACE } from '../../core/usage/request-metrics';
import { EmfMetrics } from '../aws/emf-metrics';
import { OrderedAppender } from './ordered-appender';

/** Constructor options of {@link FileEmfMetrics}. */
export interface FileEmfMetricsOptions {
  /** The server's data directory; metrics go to `<dataDir>/metrics.log`. */
  dataDir: string;
  /** The `service` dimension (default `switchyard`). */
  serviceName?: string;
}

/**
 * Local metrics: the very EMF documents the Lambda function prints (same Powertools
 * serialisation, names, units and dimension sets), appended one per line to
 * `<dataDir>/metrics.log` after each request. The file holds what CloudWatch would ingest, so
 * `jq` over it answers the questions a CloudWatch graph would, e.g.
 * `jq -s 'map(select(.Team=="search") | .CostUSD) | add' .switchyard/metrics.log`.
 * No Prometheus `/metrics` endpoint is served: one format, the one production uses.
 */
export class FileEmfMetrics extends EmfMetrics {
  private readonly appender: OrderedAppender;

  constructor(options: FileEmfMetricsOptions) {
    const appender = new OrderedAppender();
    const path = join(options.dataDir, 'metrics.log');
    super({
      metrics: new PowertoolsMetrics({ namespace: METRICS_NAMESPACE, serviceName: options.serviceName ?? 'switchyard' }),
      emit: (line) => appender.append(path, `${line}\n`),
    });
    this.appender = appender;
  }

  /** Waits for pending lines and closes `metrics.log` (server shutdown). */
  close(): Promise<void> {
    return this.appender.close();
  }
}
