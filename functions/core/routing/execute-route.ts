import type { SwitchyardConfig } from '../config/schema';
import { GatewayError, toGatewayError } from '../errors';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { healthOf, type CircuitBreaker } from './circuit-breaker';
import type { RouteTarget } from './plan-route';

/** One attempt against one target, as recorded in logs, headers and the usage event. */
export interface AttemptRecord {
  targetId: string;
  /** Provider name and model of the target (response headers of a failed request). */
  provider: string;
  model: string;
  attempt: number;
  errorType: string | null;
  status: number | null;
  /**
   * The attempt failed through the provider's fault (5xx, rate limit, timeout, connection; the
   * errors that count towards a circuit breaker), not the client's: counted per provider model
   * in the metrics even when a retry or a fallback saved the request.
   */
  providerFailed: boolean;
}

/** A started call: the value and the controller that can still abort it (streams run on). */
export interface StartedCall<T> {
  value: T;
  target: RouteTarget;
  controller: AbortController;
  attempts: AttemptRecord[];
  /**
   * Milliseconds spent in attempts (calling upstreams and waiting for their answers) and in the
   * pauses between them: what is not the gateway's own overhead.
   */
  waitedMs: number;
}

/**
 * One attempt of {@link executeRoute}: `signal` aborts on the first-byte timeout, the overall
 * deadline and client disconnect; `firstByte()` ends the first-byte timeout early (a non-streamed
 * answer whose headers arrived), otherwise it ends when `start` resolves.
 */
export type StartAttempt<T> = (target: RouteTarget, signal: AbortSignal, firstByte: () => void) => Promise<T>;

/** What {@link executeRoute} needs besides the plan. */
export interface ExecuteOptions {
  config: SwitchyardConfig;
  clock: Clock;
  random: () => number;
  logger: Logger;
  requestId: string;
  /** Aborted when the client goes away or the overall deadline passes. */
  signal: AbortSignal;
  /** The per-target circuit breaker, when `cooldown` is configured. */
  breaker?: CircuitBreaker;
}

/** Thrown when every target failed; carries the attempts for headers and usage. */
export class RouteFailedError extends GatewayError {
  constructor(
    readonly last: GatewayError,
    readonly attempts: AttemptRecord[],
  ) {
    super({
      status: last.status,
      type: last.type,
      code: last.code,
      param: last.param,
      message: last.message,
      verdict: 'final',
      errorClass: last.errorClass,
      retryAfterMs: last.retryAfterMs,
      provider: last.provider,
      upstreamStatus: last.upstreamStatus,
      cause: last,
    });
  }
}

/** What routing does after a failed attempt. */
type Step = { action: 'retry'; delayMs: number } | { action: 'fallback' } | { action: 'fail' };

/**
 * Runs `start` against the planned targets until one starts successfully (for a stream: produced
 * its first chunk). The rules (docs/routing.md):
 * - a `final` error (the request itself is wrong) answers the client at once;
 * - an error whose upstream status is in `retry.onStatus`, a timeout or a connection failure is
 *   retried on the same target, up to `retry.attempts`, after {@link backoffMs}; a provider asking
 *   (retry-after) for more than `retry.maxRetryAfterMs` is not retried;
 * - otherwise, or once retries are exhausted, the next target is tried when the error's class is
 *   in `fallbackOn`; after a context-length failure, targets whose known `contextWindow` is not
 *   larger than the failed one's are skipped;
 * - targets whose circuit is open (`cooldown`) are skipped; when that leaves nothing, 503.
 * The overall deadline and client disconnect end everything with their own error. The returned
 * controller stays live for a stream that is still being read.
 */
export async function executeRoute<T>(plan: RouteTarget[], start: StartAttempt<T>, options: ExecuteOptions): Promise<StartedCall<T>> {
  const { config, clock, breaker } = options;
  const attempts: AttemptRecord[] = [];
  const coolingDown: RouteTarget[] = [];
  let lastError: GatewayError | undefined;
  let contextFloor: number | undefined;
  let waitedMs = 0;
  for (const target of plan) {
    if (contextFloor !== undefined && target.contextWindow !== undefined && target.contextWindow <= contextFloor) continue;
    for (let attempt = 1; ; attempt++) {
      if (options.signal.aborted) throw new RouteFailedError(toGatewayError(options.signal.reason), attempts);
      if (breaker && !breaker.tryAcquire(target.id, clock.now())) {
        coolingDown.push(target);
        break;
      }
      const record: AttemptRecord = { targetId: target.id, provider: target.providerName, model: target.model, attempt, errorType: null, status: null, providerFailed: false };
      attempts.push(record);
      let error: GatewayError;
      const attemptStarted = clock.monotonicMs();
      try {
        const { value, controller } = await runAttempt(target, start, options);
        waitedMs += clock.monotonicMs() - attemptStarted;
        breaker?.record(target.id, 'success', clock.now());
        return { value, target, controller, attempts, waitedMs };
      } catch (thrown) {
        waitedMs += clock.monotonicMs() - attemptStarted;
        if (options.signal.aborted) {
          breaker?.record(target.id, 'neutral', clock.now());
          const reason = toGatewayError(options.signal.reason);
          record.errorType = reason.errorType;
          record.status = reason.status;
          throw new RouteFailedError(reason, attempts);
        }
        error = toGatewayError(thrown);
      }
      const health = healthOf(error.errorClass);
      breaker?.record(target.id, health, clock.now());
      record.errorType = error.errorType;
      record.status = error.status;
      record.providerFailed = health === 'failure';
      // Asked to stay away longer than the gateway waits: skip the target for that long.
      if (error.retryAfterMs !== undefined && error.retryAfterMs > config.retry.maxRetryAfterMs) breaker?.openFor(target.id, clock.now(), error.retryAfterMs);
      lastError = error;
      // Only a target that itself failed on context length raises the floor; one skipped while
      // cooling down says nothing about how long a prompt the next targets can take.
      if (error.errorClass === 'context_length' && target.contextWindow !== undefined) {
        contextFloor = Math.max(contextFloor ?? 0, target.contextWindow);
      }
      const step = nextStep(error, attempt, config, options.random);
      logFailedAttempt(options, target, record, error, step);
      if (step.action === 'fail') throw new RouteFailedError(error, attempts);
      if (step.action === 'fallback') break;
      const pauseStarted = clock.monotonicMs();
      await clock.sleep(step.delayMs, options.signal).catch(() => undefined);
      waitedMs += clock.monotonicMs() - pauseStarted;
    }
  }
  throw new RouteFailedError(lastError ?? (coolingDown.length > 0 ? coolingDownError(coolingDown, breaker, clock.now()) : noTargets()), attempts);
}

/** One attempt with its own abort controller and first-byte timer. */
async function runAttempt<T>(target: RouteTarget, start: StartAttempt<T>, options: ExecuteOptions): Promise<{ value: T; controller: AbortController }> {
  const ms = options.config.timeouts.firstByteMs;
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(options.signal.reason);
  options.signal.addEventListener('abort', onOuterAbort, { once: true });
  const cancelTimer = options.clock.setTimer(ms, () => controller.abort(firstByteTimeout(target, ms)));
  try {
    const value = await start(target, controller.signal, cancelTimer);
    return { value, controller };
  } catch (thrown) {
    controller.abort();
    options.signal.removeEventListener('abort', onOuterAbort);
    throw thrown;
  } finally {
    cancelTimer();
  }
}

function nextStep(error: GatewayError, attempt: number, config: SwitchyardConfig, random: () => number): Step {
  if (error.verdict === 'final') return { action: 'fail' };
  const withinCap = error.retryAfterMs === undefined || error.retryAfterMs <= config.retry.maxRetryAfterMs;
  if (attempt < config.retry.attempts && withinCap && isRetried(error, config)) {
    return { action: 'retry', delayMs: backoffMs(attempt, error, config, random) };
  }
  return config.fallbackOn.includes(error.errorClass as never) ? { action: 'fallback' } : { action: 'fail' };
}

/**
 * Timeouts and connection failures are always retried; otherwise the provider's HTTP status must
 * be in `retry.onStatus`. Errors raised by the gateway itself (no upstream status) are retried
 * only when their verdict says so.
 */
function isRetried(error: GatewayError, config: SwitchyardConfig): boolean {
  if (error.errorClass === 'timeout' || error.errorClass === 'connection') return true;
  if (error.upstreamStatus !== undefined) return config.retry.onStatus.includes(error.upstreamStatus);
  return error.verdict === 'retryable' && config.retry.onStatus.includes(error.status);
}

/**
 * The wait before retry number `attempt` (1 = the first retry): exponential from
 * `retry.backoffMs`, capped at `retry.maxBackoffMs`, with "equal jitter" (half fixed, half random,
 * so concurrent clients spread out but never retry at once); the provider's retry-after wins
 * when it is longer.
 *
 * @example backoffMs(2, error, config, () => 0.5) // backoffMs 200 → 400 ms base → 300 ms
 */
function backoffMs(attempt: number, error: GatewayError, config: SwitchyardConfig, random: () => number): number {
  const exponential = Math.min(config.retry.maxBackoffMs, config.retry.backoffMs * 2 ** (attempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.round(Math.max(jittered, error.retryAfterMs ?? 0));
}

/** The structured line of a failed attempt: routing facts only, never prompt text or keys. */
function logFailedAttempt(options: ExecuteOptions, target: RouteTarget, record: AttemptRecord, error: GatewayError, step: Step): void {
  options.logger.warn('upstream attempt failed', {
    requestId: options.requestId,
    target: target.id,
    provider: target.providerName,
    model: target.model,
    attempt: record.attempt,
    status: error.status,
    upstreamStatus: error.upstreamStatus ?? null,
    errorType: record.errorType,
    errorClass: error.errorClass,
    verdict: error.verdict,
    retryAfterMs: error.retryAfterMs ?? null,
    action: step.action,
    ...(step.action === 'retry' ? { retryInMs: step.delayMs } : {}),
  });
}

function firstByteTimeout(target: RouteTarget, ms: number): GatewayError {
  return new GatewayError({
    status: 504,
    type: 'timeout_error',
    code: 'upstream_first_byte_timeout',
    message: `${target.providerName}: no response within ${ms} ms.`,
    verdict: 'retryable',
    errorClass: 'timeout',
    provider: target.providerName,
  });
}

function coolingDownError(targets: RouteTarget[], breaker: CircuitBreaker | undefined, nowMs: number): GatewayError {
  const reopensAt = Math.min(...targets.map((target) => breaker?.reopensAt(target.id) ?? nowMs));
  return new GatewayError({
    verdict: 'final',
    status: 503,
    type: 'service_unavailable',
    code: 'targets_cooling_down',
    message: `Every target of this model is cooling down after repeated failures (${targets.map((target) => target.id).join(', ')}).`,
    errorClass: 'server_error',
    retryAfterMs: Math.max(0, reopensAt - nowMs),
  });
}

function noTargets(): GatewayError {
  return new GatewayError({ verdict: 'final', status: 503, type: 'upstream_error', code: 'no_available_target', message: 'No target is available for this model.', errorClass: 'server_error' });
}
