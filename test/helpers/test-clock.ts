import type { Clock } from '../../functions/core/ports/clock';

interface PendingTimer {
  at: number;
  delayMs: number;
  callback(): void;
}

/**
 * A clock for tests: `now()` moves only when told (`advance`) or when something sleeps, and
 * `sleep` records the delay it was asked for and resolves at once, so backoff can be asserted
 * exactly and costs no wall time. Timers (`setTimer`) fire, in time order, when `advance` or a
 * `sleep` moves the clock past them — heartbeats and timeouts are tested without real waiting.
 */
export class TestClock implements Clock {
  /** Every delay requested through `sleep`, in order. */
  readonly sleeps: number[] = [];
  private nowMs: number;
  private readonly timers = new Set<PendingTimer>();
  private readonly waiters = new Set<() => void>();

  constructor(startMs = Date.now()) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  /** The test clock's time: durations move only with `advance` and `sleep`, like `now()`. */
  monotonicMs(): number {
    return this.nowMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.advance(ms);
    return Promise.resolve();
  }

  setTimer(ms: number, callback: () => void): () => void {
    const timer: PendingTimer = { at: this.nowMs + ms, delayMs: ms, callback };
    this.timers.add(timer);
    this.notify();
    return () => {
      this.timers.delete(timer);
      this.notify();
    };
  }

  /**
   * Resolves once a timer of `delayMs` is armed: the code under test is waiting on it (a stream
   * waiting for its next chunk, an attempt waiting for its first byte), so `advance` can fire it.
   */
  armed(delayMs: number): Promise<void> {
    return this.until(() => this.hasTimer(delayMs));
  }

  /** Resolves once no timer of `delayMs` is armed any more (it was cancelled or fired). */
  disarmed(delayMs: number): Promise<void> {
    return this.until(() => !this.hasTimer(delayMs));
  }

  private hasTimer(delayMs: number): boolean {
    for (const timer of this.timers) if (timer.delayMs === delayMs) return true;
    return false;
  }

  private until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!condition()) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  private notify(): void {
    for (const check of [...this.waiters]) check();
  }

  /** The number of timers armed and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Sets the time: forward as {@link advance} does, backward (between tests) without firing timers. */
  set(ms: number): void {
    if (ms >= this.nowMs) this.advance(ms - this.nowMs);
    else this.nowMs = ms;
  }

  /** Moves time forward (cooldowns, windows), firing the timers that fall due on the way. */
  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      let next: PendingTimer | undefined;
      for (const timer of this.timers) if (timer.at <= target && (!next || timer.at < next.at)) next = timer;
      if (!next) break;
      this.timers.delete(next);
      this.nowMs = Math.max(this.nowMs, next.at);
      next.callback();
      this.notify();
    }
    this.nowMs = target;
  }
}
