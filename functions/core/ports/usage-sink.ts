import type { UsageEvent } from '../usage/usage-event';

/** Receives exactly one usage event per request. */
export interface UsageSink {
  /** Persists or forwards the event. Must not throw for delivery failures it can record itself. */
  write(event: UsageEvent): Promise<void>;
}
