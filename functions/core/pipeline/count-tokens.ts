import type { CanonicalRequest } from '../model/request';
import { adapterFor, apiKeyFor, callContextFor, type GatewayRuntime } from '../runtime';
import type { RequestRecord } from '../usage/request-record';
import { planRequestRoute } from './route-request';

/**
 * The exact input tokens of `canonical` on the alias's first target, when its provider counts
 * tokens for such a request (Anthropic's `count_tokens`, a Responses server's `input_tokens`),
 * within the first-byte timeout. `undefined` when it cannot, or when the call fails (logged: the
 * caller then answers an estimate rather than an error for a figure the client only plans with).
 * No budget is reserved and no model is called.
 */
export async function exactInputTokens(runtime: GatewayRuntime, request: Request, record: RequestRecord, canonical: CanonicalRequest, alias: string): Promise<number | undefined> {
  const [target] = planRequestRoute(runtime, request, alias, canonical.cacheKey);
  if (!target) return undefined;
  const adapter = adapterFor(runtime, target);
  if (!adapter.countInputTokens) return undefined;
  const controller = new AbortController();
  const cancelTimer = runtime.deps.clock.setTimer(runtime.config.timeouts.firstByteMs, () => controller.abort(new Error('counting input tokens timed out')));
  try {
    const apiKey = await apiKeyFor(runtime, target, adapter);
    const ctx = callContextFor(runtime, target, apiKey, { fetch: runtime.deps.fetch, signal: controller.signal, clientHeaders: request.headers, requestId: record.requestId });
    return await adapter.countInputTokens(canonical, target.model, ctx);
  } catch (error) {
    runtime.deps.logger.warn('counting input tokens fell back to an estimate', { requestId: record.requestId, provider: target.providerName, error: error instanceof Error ? error.message : String(error) });
    return undefined;
  } finally {
    cancelTimer();
  }
}
