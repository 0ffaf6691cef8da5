import type { AttemptOutcome } from '../usage/request-record';
import type { UsageEvent } from '../usage/usage-event';

/**
 * Request metrics. The gateway reports one finished request at a time; the adapter derives
 * Requests, Errors, Latency, TimeToFirstToken, tokens, cost, attempts and rejections from it,
 * and from `attempts` the attempts and provider failures per provider model.
 */
export interface Metrics {
  recordRequest(event: UsageEvent, attempts?: readonly AttemptOutcome[]): void;
  /** Counts a usage event that could not be delivered by the usage sink. */
  recordUsageDeliveryFailure?(count: number): void;
  /** Counts an audit record that could not be delivered by the audit sink. */
  recordAuditDeliveryFailure?(count: number): void;
  /** Publishes what is buffered (EMF flush on Lambda); a no-op where metrics are immediate. */
  flush(): Promise<void>;
}
