import type { Clock } from '../../functions/core/ports/clock';

/**
 * A clock for tests: `now()` moves only when told (`advance`) or when something sleeps, and
 * `sleep` records the delay it was asked for and resolves at once, so backoff can be asserted
 * exactly and costs no wall time.
 */
export class TestClock implements Clock {
  /** Every delay requested through `sleep`, in order. */
  readonly sleeps: number[] = [];
  private nowMs: number;

  constructor(startMs = Date.now()) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.nowMs += ms;
    return Promise.resolve();
  }

  /** Moves time forward (cooldowns, windows). */
  advance(ms: number): void {
    this.nowMs += ms;
  }
}
