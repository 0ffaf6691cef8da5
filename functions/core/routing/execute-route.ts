import type { SwitchyardConfig } from '../config/schema';
import { GatewayError, toGatewayError } from '../errors';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { RouteTarget } from './plan-route';

/** One attempt against one target, as recorded in logs, headers and the usage event. */
export interface AttemptRecord {
  targetId: string;
  attempt: number;
  errorType: string | null;
  status: number | null;
}

/** A started call: the value and the controller that can still abort it (streams run on). */
export interface StartedCall<T> {
  value: T;
  target: RouteTarget;
  controller: AbortController;
  attempts: AttemptRecord[];
}

/** What {@link executeRoute} needs besides the plan. */
export interface ExecuteOptions {
  config: SwitchyardConfig;
  clock: Clock;
  random: () => number;
  logger: Logger;
  requestId: string;
  /** Aborted when the client goes away or the overall deadline passes. */
  signal: AbortSignal;
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
      cause: last,
    });
  }
}

/**
 * Runs `start` against the planned targets until one starts successfully (for a stream: produced
 * its first chunk). Retries a target on retryable errors with exponential backoff and jitter,
 * honouring the provider's retry-after up to `retry.maxRetryAfterMs`; falls back to the next target
 * on retry exhaustion or on a `fallback` verdict whose class is in `fallbackOn`; answers at once on
 * `final` errors. A context-length failure skips targets whose context window is not larger.
 * Each attempt has a first-byte timeout; the returned controller stays live for the stream.
 */
export async function executeRoute<T>(
  plan: RouteTarget[],
  start: (target: RouteTarget, signal: AbortSignal) => Promise<T>,
  options: ExecuteOptions,
): Promise<StartedCall<T>> {
  const { config, clock, logger } = options;
  const attempts: AttemptRecord[] = [];
  let lastError: GatewayError | undefined;
  let minContextWindow = 0;
  for (let index = 0; index < plan.length; index++) {
    const target = plan[index] as RouteTarget;
    if (minContextWindow > 0 && (target.contextWindow ?? 0) <= minContextWindow) continue;
    for (let attempt = 1; attempt <= config.retry.attempts; attempt++) {
      if (options.signal.aborted) throw toGatewayError(options.signal.reason);
      const controller = new AbortController();
      const onOuterAbort = (): void => controller.abort(options.signal.reason);
      options.signal.addEventListener('abort', onOuterAbort, { once: true });
      const timer = setTimeout(() => controller.abort(firstByteTimeout(target, config.timeouts.firstByteMs)), config.timeouts.firstByteMs);
      try {
        const value = await start(target, controller.signal);
        attempts.push({ targetId: target.id, attempt, errorType: null, status: null });
        return { value, target, controller, attempts };
      } catch (thrown) {
        controller.abort();
        options.signal.removeEventListener('abort', onOuterAbort);
        if (options.signal.aborted) throw toGatewayError(options.signal.reason);
        const error = toGatewayError(thrown);
        lastError = error;
        attempts.push({ targetId: target.id, attempt, errorType: error.code ?? error.type, status: error.status });
        logger.warn('upstream attempt failed', {
          requestId: options.requestId,
          target: target.id,
          attempt,
          status: error.status,
          errorType: error.code ?? error.type,
          errorClass: error.errorClass,
          verdict: error.verdict,
        });
        if (error.verdict === 'final') throw new RouteFailedError(error, attempts);
        if (error.verdict === 'retryable' && attempt < config.retry.attempts && shouldRetry(error, config)) {
          await clock.sleep(backoffMs(attempt, error, config, options.random), options.signal).catch(() => undefined);
          continue;
        }
        break;
      } finally {
        clearTimeout(timer);
      }
    }
    if (lastError && !config.fallbackOn.includes(lastError.errorClass as never)) break;
    if (lastError?.errorClass === 'context_length') minContextWindow = Math.max(minContextWindow, target.contextWindow ?? Number.MAX_SAFE_INTEGER);
  }
  throw new RouteFailedError(lastError ?? noTargets(), attempts);
}

function shouldRetry(error: GatewayError, config: SwitchyardConfig): boolean {
  if (error.errorClass === 'timeout' || error.errorClass === 'connection') return true;
  const upstreamStatus = error.errorClass === 'rate_limit' ? 429 : error.status;
  return config.retry.onStatus.includes(upstreamStatus);
}

/** Exponential backoff with full jitter, or the provider's retry-after (capped) when larger. */
export function backoffMs(attempt: number, error: GatewayError, config: SwitchyardConfig, random: () => number): number {
  const exponential = Math.min(config.retry.maxBackoffMs, config.retry.backoffMs * 2 ** (attempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  const asked = error.retryAfterMs === undefined ? 0 : Math.min(error.retryAfterMs, config.retry.maxRetryAfterMs);
  return Math.round(Math.max(jittered, asked));
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

function noTargets(): GatewayError {
  return new GatewayError({ status: 503, type: 'upstream_error', code: 'no_available_target', message: 'No target is available for this model.', errorClass: 'server_error' });
}
