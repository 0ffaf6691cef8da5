import { GatewayError } from '../errors';
import type { CanonicalRequest } from '../model/request';
import type { CanonicalCompletion, CanonicalStreamEvent } from '../model/response';
import type { ChatCall } from '../ports/provider';
import { priceFor, type ModelPrice } from '../pricing';
import { executeRoute, type StartedCall } from '../routing/execute-route';
import type { RouteTarget } from '../routing/plan-route';
import { adapterFor, apiKeyFor, callContextFor, type GatewayRuntime } from '../runtime';
import type { RequestRecord } from '../usage/request-record';
import { endUserOf, parseTags } from '../usage/tags';
import { outputTokenLimit } from './cost-bound';
import { lowerCustomTools, raiseCustomToolCalls, raiseCustomToolStream } from './custom-tools';
import { assertModelAccess } from './model-access';
import type { RequestSignal } from './request-signal';
import { reserveCall } from './reserve-budget';
import { fetchNotifyingHeaders, planRequestRoute, routeOptions } from './route-request';
import { routingHeaders } from './routing-headers';

/** What an ingress protocol hands the pipeline for one model call. */
export interface ModelCall {
  /** The client's request, decoded. */
  request: CanonicalRequest;
  /** Size of the request body: with the output limit, the bound of the budget reservation. */
  bodyBytes: number;
  /** The request for one target, with the target's configured parameter overrides applied. */
  requestFor(target: RouteTarget): CanonicalRequest;
}

/**
 * A started answer: a whole completion, or a stream whose first event has arrived — in the
 * canonical model, or natively in the ingress protocol's wire format when the target spoke it.
 */
export type StartedAnswer =
  | { kind: 'completion'; completion: CanonicalCompletion }
  | { kind: 'native-completion'; body: unknown }
  | { kind: 'stream'; first: CanonicalStreamEvent; rest: AsyncIterator<CanonicalStreamEvent> }
  | { kind: 'native-stream'; first: unknown; rest: AsyncIterator<unknown> };

/** The route's answer, the routing headers for the client and the price of the target that answered. */
export interface RoutedAnswer {
  started: StartedCall<StartedAnswer>;
  headers: Record<string, string>;
  price: ModelPrice;
}

/**
 * The protocol-neutral part of a model call (DESIGN §1): record who asks for what (tags, end
 * user), check the key may use the model, plan the route, reserve the budget, then run the route
 * (retries, fallback) until a target answers — for streams, until it produced its first event,
 * so fallback stays possible and the client sees a real HTTP status.
 */
export async function callRoute(runtime: GatewayRuntime, request: Request, record: RequestRecord, requestSignal: RequestSignal, call: ModelCall): Promise<RoutedAnswer> {
  const { model } = call.request;
  record.modelRequested = model;
  record.stream = call.request.stream;
  record.user = endUserOf(request.headers.get('x-switchyard-user'), call.request.user);
  record.tags = parseTags(request.headers.get('x-switchyard-tags'), call.request.metadata);
  const alias = assertModelAccess(runtime.config, record.principal, model);

  const plan = planRequestRoute(runtime, request, alias, call.request.cacheKey);
  await reserveCall(runtime, record, call.request, call.bodyBytes, plan, requestSignal.signal);
  const started = await executeRoute(
    plan,
    (target, signal, firstByte) => startTarget(runtime, call.requestFor(target), target, signal, firstByte, record, request.headers),
    routeOptions(runtime, record, requestSignal),
  );
  return { started, headers: routingHeaders(record, started, runtime.deps.clock), price: priceFor(started.target.model, started.target.price) };
}

/**
 * One attempt: call the provider and, for a stream, wait for its first event. A non-streamed
 * answer's first byte is its response headers: the body may then take as long as generation does.
 */
async function startTarget(runtime: GatewayRuntime, request: CanonicalRequest, target: RouteTarget, signal: AbortSignal, firstByte: () => void, record: RequestRecord, clientHeaders: Headers): Promise<StartedAnswer> {
  const adapter = adapterFor(runtime, target);
  const apiKey = await apiKeyFor(runtime, target, adapter);
  // Providers take function tools: free-form tools go as functions of one string and come back raised.
  const { request: sent, customTools } = lowerCustomTools(request);
  const call: ChatCall = { request: sent, model: target.model, stream: request.stream, maxOutputTokens: outputTokenLimit(request.maxOutputTokens, target, adapter) };
  const result = await adapter.chat(
    call,
    callContextFor(runtime, target, apiKey, {
      fetch: call.stream ? runtime.deps.fetch : fetchNotifyingHeaders(runtime.deps.fetch, firstByte),
      signal,
      clientHeaders,
      requestId: record.requestId,
    }),
  );
  if (result.kind === 'completion' || result.kind === 'native-completion') {
    record.ttftMs = runtime.deps.clock.now() - record.startedAtMs;
    return result.kind === 'completion' && customTools.size > 0 ? { kind: 'completion', completion: raiseCustomToolCalls(result.completion, customTools) } : result;
  }
  if (result.kind === 'stream') {
    const rest = (customTools.size > 0 ? raiseCustomToolStream(result.events, customTools) : result.events)[Symbol.asyncIterator]();
    return { kind: 'stream', first: await firstEvent(rest, target, runtime, record), rest };
  }
  const rest = result.events[Symbol.asyncIterator]();
  return { kind: 'native-stream', first: await firstEvent(rest, target, runtime, record), rest };
}

async function firstEvent<T>(rest: AsyncIterator<T>, target: RouteTarget, runtime: GatewayRuntime, record: RequestRecord): Promise<T> {
  const first = await rest.next();
  if (first.done) {
    throw new GatewayError({ status: 502, type: 'upstream_error', code: 'upstream_cut', message: `${target.providerName}: the stream ended before any content.`, verdict: 'retryable', errorClass: 'connection', provider: target.providerName });
  }
  record.ttftMs = runtime.deps.clock.now() - record.startedAtMs;
  return first.value;
}
