import type { ErrorClass } from '../errors';

/** Settings of the per-target circuit breaker (`cooldown` in switchyard.config.json). */
export interface CooldownSettings {
  /** Failed attempts within `windowMs` that open the circuit. */
  failures: number;
  windowMs: number;
  /** How long an open circuit skips the target before allowing one probe. */
  cooldownMs: number;
}

/** How an attempt ended, as far as the health of its target is concerned. */
export type AttemptHealth = 'success' | 'failure' | 'neutral';

/**
 * Failure classes that say something about the target rather than about the request: a
 * context-length or content-policy refusal, a bad request or a client that went away do not.
 */
const HEALTH_FAILURES: ReadonlySet<ErrorClass> = new Set(['rate_limit', 'server_error', 'timeout', 'connection', 'auth', 'not_found']);

/** Whether a failed attempt of this class counts against its target's health. */
export function healthOf(errorClass: ErrorClass): AttemptHealth {
  return HEALTH_FAILURES.has(errorClass) ? 'failure' : 'neutral';
}

interface TargetState {
  /** Times of failed attempts within the window, oldest first (closed circuit). */
  failures: number[];
  /** Until when the target is skipped; 0 when the circuit is closed. */
  openUntil: number;
  /** A half-open probe is under way: other requests keep skipping the target. */
  probing: boolean;
}

/**
 * A per-target circuit breaker, kept in the memory of one gateway process (one Lambda execution
 * environment, one local server): it spares a failing provider and saves clients the retries.
 *
 * Closed: failed attempts are counted in a sliding window; at `failures` the circuit opens.
 * Open: the target is skipped until `cooldownMs` has passed. Half-open: the next request may
 * send one probe attempt while the others keep skipping; a successful probe closes the
 * circuit, a failed one reopens it for another `cooldownMs`, a neutral outcome (the request's own
 * fault, client gone) lets the next request probe again. Times come from the injected clock.
 *
 * Without `settings` (no `cooldown` in the config) failures are not counted; the circuit only
 * opens when a provider asks to be left alone longer than the gateway would wait
 * ({@link openFor}), and a failed probe then closes it again.
 */
export class CircuitBreaker {
  private readonly states = new Map<string, TargetState>();

  constructor(private readonly settings?: CooldownSettings) {}

  /**
   * Whether an attempt may be sent to `targetId` now. Passing the half-open gate claims the
   * probe, so every `true` must be followed by {@link record}.
   */
  tryAcquire(targetId: string, nowMs: number): boolean {
    const state = this.states.get(targetId);
    if (!state || state.openUntil === 0) return true;
    if (nowMs < state.openUntil || state.probing) return false;
    state.probing = true;
    return true;
  }

  /** Records the outcome of an attempt allowed by {@link tryAcquire}. */
  record(targetId: string, health: AttemptHealth, nowMs: number): void {
    const state = this.states.get(targetId) ?? { failures: [], openUntil: 0, probing: false };
    if (state.probing) {
      state.probing = false;
      if (health === 'success' || (health === 'failure' && !this.settings)) this.states.delete(targetId);
      else if (health === 'failure' && this.settings) state.openUntil = nowMs + this.settings.cooldownMs;
      return;
    }
    // An open circuit ignores late outcomes of attempts that started before it opened.
    if (health !== 'failure' || state.openUntil !== 0 || !this.settings) return;
    const windowStart = nowMs - this.settings.windowMs;
    state.failures = state.failures.filter((at) => at > windowStart);
    state.failures.push(nowMs);
    if (state.failures.length >= this.settings.failures) {
      state.failures = [];
      state.openUntil = nowMs + this.settings.cooldownMs;
    }
    this.states.set(targetId, state);
  }

  /**
   * Opens the circuit of `targetId` for `durationMs` from `nowMs` at once (or keeps it open longer
   * if it already is): a provider's `retry-after` beyond what the gateway waits says the target is
   * unavailable that long, so later requests skip it instead of each failing on it first.
   */
  openFor(targetId: string, nowMs: number, durationMs: number): void {
    const state = this.states.get(targetId) ?? { failures: [], openUntil: 0, probing: false };
    state.failures = [];
    state.probing = false;
    state.openUntil = Math.max(state.openUntil, nowMs + durationMs);
    this.states.set(targetId, state);
  }

  /** When the circuit of `targetId` lets a probe through (0 when closed), for `retry-after`. */
  reopensAt(targetId: string): number {
    return this.states.get(targetId)?.openUntil ?? 0;
  }
}
