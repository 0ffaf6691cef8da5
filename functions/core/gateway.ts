import type { SwitchyardConfig } from './config/schema';
import { GatewayError, routeNotFound, toGatewayError } from './errors';
import { authenticate, virtualKeyOf } from './pipeline/authenticate';
import { assertHeaderSize } from './pipeline/header-limit';
import { handleChatCompletions } from './protocols/openai-chat/handler';
import { handleInputTokens, handleResponses, refuseCompaction } from './protocols/openai-responses/handler';
import { handleStoredResponse } from './protocols/openai-responses/stored';
import { handleEmbeddings } from './pipeline/embeddings';
import { CachedKeyStore } from './pipeline/key-cache';
import type { HandlerResult } from './pipeline/handler-result';
import { handleListModels, handleRetrieveModel } from './pipeline/models';
import { createRequestSignal } from './pipeline/request-signal';
import { openAiErrorResponse } from './protocols/openai-chat/errors';
import { anthropicErrorResponse } from './protocols/anthropic-messages/errors';
import { handleCountTokens, handleListAnthropicModels, handleMessages, handleRetrieveAnthropicModel } from './protocols/anthropic-messages/handler';
import { settleRecord } from './pipeline/reserve-budget';
import { failureRoutingHeaders, recordAttempts } from './pipeline/routing-headers';
import { CircuitBreaker } from './routing/circuit-breaker';
import { RouteFailedError } from './routing/execute-route';
import type { GatewayDeps, GatewayRequestContext, GatewayRuntime } from './runtime';
import { auditLevelOf, auditRecordOf, auditResponseBody, emitAudit } from './audit/audit-trail';
import { RequestRecord, type AttemptOutcome } from './usage/request-record';
import type { UsageEvent } from './usage/usage-event';

export type { GatewayDeps } from './runtime';

/** The gateway: a Web-standard fetch function (CONVENTIONS 1). */
export type Gateway = (request: Request, context?: GatewayRequestContext) => Promise<Response>;

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * Builds the gateway from its ports and a validated config. The Lambda handler and the local
 * server only convert their native shapes to and from `Request`/`Response`.
 *
 * Every `/v1/*` request yields exactly one usage event (success, error, rejection or client
 * disconnect), written after the response is complete; the work is handed to
 * `context.waitUntil` so runtimes that freeze after the response (Lambda) can wait for it.
 *
 * @example
 * const gateway = createGateway(deps, parseConfig(json));
 * const response = await gateway(new Request('http://gw/v1/models', { headers: { authorization: 'Bearer sk-sy-…' } }));
 */
export function createGateway(deps: GatewayDeps, config: SwitchyardConfig): Gateway {
  const runtime: GatewayRuntime = {
    // Key and team look-ups are cached briefly (revocation delay: KEY_CACHE_TTL_MS).
    deps: { ...deps, keyStore: new CachedKeyStore(deps.keyStore, deps.clock), random: deps.random ?? Math.random },
    config,
    // Always present: without `cooldown` it only honours a provider's long retry-after.
    breaker: new CircuitBreaker(config.cooldown),
  };
  const healthBody = JSON.stringify({ status: 'ok' });

  return async function gateway(request: Request, context: GatewayRequestContext = {}): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.length > 1 && url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
    if (path === '/health' && request.method === 'GET') return new Response(healthBody, { status: 200, headers: JSON_HEADERS });
    // Claude Code probes the root of its base URL before it sends anything.
    if (path === '/' && (request.method === 'HEAD' || request.method === 'GET')) return new Response(request.method === 'HEAD' ? null : healthBody, { status: 200, headers: JSON_HEADERS });

    const startedAt = deps.clock.now();
    const requestId = `req_${crypto.randomUUID().replace(/-/g, '')}`;
    const record = new RequestRecord(requestId, startedAt, path, deps.clock.monotonicMs());
    record.deadlineMs = Math.min(startedAt + config.timeouts.totalMs, context.deadline ?? Number.POSITIVE_INFINITY);
    const requestSignal = createRequestSignal(context.clientSignal ?? request.signal, config.timeouts.totalMs, deps.clock);
    let result: HandlerResult;
    try {
      assertHeaderSize(request.headers, config.limits.maxHeaderBytes);
      record.principal = context.principal ?? (await authenticate(virtualKeyOf(request.headers.get('authorization'), request.headers.get('x-api-key')), runtime.deps.keyStore, startedAt, deps.hashKey));
      record.auditLevel = await auditLevelOf(runtime, record.principal);
      result = await dispatch(runtime, request, path, record, requestSignal);
    } catch (thrown) {
      const error = toGatewayError(thrown);
      if (error instanceof RouteFailedError) recordAttempts(record, error.attempts);
      if (error.status >= 500 && !(error instanceof RouteFailedError)) {
        deps.logger.error('request failed', { requestId, status: error.status, errorType: error.errorType, cause: describeCause(error) });
      }
      const status = error.code === 'client_closed' ? 'client_closed' : 'error';
      if (!record.principal) record.auditLevel = await auditLevelOf(runtime, undefined);
      auditResponseBody(record, { error: { type: error.type, code: error.code, message: error.message } });
      result = {
        response: speaksAnthropic(request, path) ? anthropicErrorResponse(error, failureRoutingHeaders(error)) : openAiErrorResponse(error, failureRoutingHeaders(error)),
        finished: Promise.resolve({ status, httpStatus: error.status, errorType: error.errorType }),
      };
    }
    result.response.headers.set('x-request-id', requestId);
    const audited = { method: request.method, userAgent: request.headers.get('user-agent') };
    const done = result.finished
      .then(async (outcome) => {
        await settleRecord(record);
        const event = record.toEvent(outcome.status, outcome.httpStatus, outcome.errorType, deps.clock.now());
        await Promise.all([emitUsage(runtime, event, record.attemptOutcomes), emitAudit(runtime, auditRecordOf(runtime, record, audited, event))]);
      })
      .finally(() => requestSignal.dispose());
    context.waitUntil?.(done);
    return result.response;
  };
}

/**
 * Whether a request speaks the Anthropic Messages API (its routes, or `/v1/models` asked by an
 * Anthropic client, which sends `anthropic-version`): its answers and errors then use Anthropic's
 * shapes.
 */
function speaksAnthropic(request: Request, path: string): boolean {
  return path.startsWith('/v1/messages') || (path.startsWith('/v1/models') && request.headers.has('anthropic-version'));
}

async function dispatch(runtime: GatewayRuntime, request: Request, path: string, record: RequestRecord, requestSignal: ReturnType<typeof createRequestSignal>): Promise<HandlerResult> {
  const method = request.method;
  if (path === '/v1/messages') {
    assertMethod(method, 'POST', path);
    return handleMessages(runtime, request, record, requestSignal);
  }
  if (path === '/v1/messages/count_tokens') {
    assertMethod(method, 'POST', path);
    return handleCountTokens(runtime, request, record);
  }
  if (path === '/v1/responses') {
    assertMethod(method, 'POST', path);
    return handleResponses(runtime, request, record, requestSignal);
  }
  if (path === '/v1/responses/input_tokens') {
    assertMethod(method, 'POST', path);
    return handleInputTokens(runtime, request, record);
  }
  if (path === '/v1/responses/compact') {
    assertMethod(method, 'POST', path);
    refuseCompaction();
  }
  if (path.startsWith(RESPONSE_PATH_PREFIX) && path.length > RESPONSE_PATH_PREFIX.length) {
    const rest = path.slice(RESPONSE_PATH_PREFIX.length);
    assertMethod(method, method === 'DELETE' && !rest.includes('/') ? 'DELETE' : 'GET', path);
    return handleStoredResponse(runtime, request, record, rest);
  }
  if (path === '/v1/chat/completions') {
    assertMethod(method, 'POST', path);
    return handleChatCompletions(runtime, request, record, requestSignal);
  }
  if (path === '/v1/embeddings') {
    assertMethod(method, 'POST', path);
    return handleEmbeddings(runtime, request, record, requestSignal);
  }
  if (path === '/v1/models') {
    assertMethod(method, 'GET', path);
    const created = Math.floor(record.startedAtMs / 1000);
    return speaksAnthropic(request, path) ? handleListAnthropicModels(runtime, record, created) : handleListModels(runtime, record, created);
  }
  if (path.startsWith(MODEL_PATH_PREFIX) && path.length > MODEL_PATH_PREFIX.length) {
    assertMethod(method, 'GET', path);
    const id = decodeModelId(path.slice(MODEL_PATH_PREFIX.length));
    const created = Math.floor(record.startedAtMs / 1000);
    return speaksAnthropic(request, path) ? handleRetrieveAnthropicModel(runtime, record, id, created) : handleRetrieveModel(runtime, record, id, created);
  }
  throw routeNotFound(method, path);
}

const MODEL_PATH_PREFIX = '/v1/models/';
/** Stored responses: `/v1/responses/{id}` and `/v1/responses/{id}/input_items`. */
const RESPONSE_PATH_PREFIX = '/v1/responses/';

/** A model id from the path: percent-decoded (ids may contain `/`, `:`), or as sent when malformed. */
function decodeModelId(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function assertMethod(actual: string, expected: string, path: string): void {
  if (actual !== expected) {
    throw new GatewayError({
      verdict: 'final',
      errorClass: 'client',
      status: 405,
      type: 'invalid_request_error',
      code: 'method_not_allowed',
      message: `${actual} is not allowed on ${path}; use ${expected}.`,
    });
  }
}

/** Writes the usage event and records metrics; a failing sink is logged, never thrown. */
async function emitUsage(runtime: GatewayRuntime, event: UsageEvent, attempts: readonly AttemptOutcome[]): Promise<void> {
  const { deps } = runtime;
  try {
    deps.metrics?.recordRequest(event, attempts);
    await deps.usageSink.write(event);
  } catch (error) {
    deps.logger.error('usage event not written', { requestId: event.request_id, usage_event: event, cause: describeCause(error) });
    deps.metrics?.recordUsageDeliveryFailure?.(1);
  }
}

function describeCause(error: unknown): string {
  const cause = error instanceof GatewayError && error.cause !== undefined ? error.cause : error;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
