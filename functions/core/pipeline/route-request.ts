import type { ExecuteOptions } from '../routing/execute-route';
import { planRoute, type RouteTarget } from '../routing/plan-route';
import { applyRequestControls } from '../routing/request-controls';
import { sessionRandom } from '../routing/session-affinity';
import type { GatewayRuntime } from '../runtime';
import type { RequestRecord } from '../usage/request-record';
import type { RequestSignal } from './request-signal';

/**
 * The targets to try for this request: the alias's plan (drawn for the request's session when it
 * names one, by header or prompt-cache key, so a load-balanced alias keeps a session on one
 * target), narrowed by allowed routing headers.
 */
export function planRequestRoute(runtime: GatewayRuntime, request: Request, alias: string, cacheKey?: string): RouteTarget[] {
  const random = sessionRandom(request.headers, alias, cacheKey) ?? runtime.deps.random;
  return applyRequestControls(planRoute(runtime.config, alias, random), request.headers, runtime.config.requestControls);
}

/** The options every endpoint passes to `executeRoute`. */
export function routeOptions(runtime: GatewayRuntime, record: RequestRecord, requestSignal: RequestSignal): ExecuteOptions {
  const { config, deps, breaker } = runtime;
  return { config, clock: deps.clock, random: deps.random, logger: deps.logger, requestId: record.requestId, signal: requestSignal.signal, breaker };
}

/**
 * Wraps fetch so that `onHeaders` runs when the upstream's response headers arrive: for a
 * non-streamed answer that is the first byte, which ends the attempt's first-byte timeout while
 * the body may take as long as the generation does.
 */
export function fetchNotifyingHeaders(fetchFn: typeof fetch, onHeaders: () => void): typeof fetch {
  return async (input, init) => {
    const response = await fetchFn(input, init);
    onHeaders();
    return response;
  };
}
