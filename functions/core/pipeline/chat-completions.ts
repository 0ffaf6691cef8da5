import { GatewayError } from '../errors';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from '../protocols/openai-chat/types';
import { validateChatRequest } from '../protocols/openai-chat/validate';
import { decodeChatRequest } from '../protocols/openai-chat/decode';
import { encodeChatChunks, encodeChatCompletion } from '../protocols/openai-chat/encode';
import { priceFor } from '../pricing';
import { executeRoute, type StartedCall } from '../routing/execute-route';
import type { RouteTarget } from '../routing/plan-route';
import { adapterFor, apiKeyFor, callContextFor, type GatewayRuntime } from '../runtime';
import { createSseBody, type StreamOutcome } from '../streaming/sse-response-body';
import type { RequestRecord } from '../usage/request-record';
import { parseTags } from '../usage/tags';
import { accountUsage } from '../usage/accounting';
import { estimateTokens, usageFromTokens } from '../usage/token-counts';
import type { ChatCall, ChatResult } from '../ports/provider';
import { completed, type HandlerOutcome, type HandlerResult } from './handler-result';
import { outputTokenLimit } from './cost-bound';
import { assertModelAccess } from './model-access';
import { readJsonBody } from './read-body';
import type { RequestSignal } from './request-signal';
import { logCompletion, logRequestBody } from './request-log';
import { reserveChat } from './reserve-budget';
import { fetchNotifyingHeaders, planRequestRoute, routeOptions } from './route-request';
import { COST_HEADER, formatCostHeader, routingHeaders } from './routing-headers';

/** A started upstream call: a whole completion, or a stream whose first chunk has arrived. */
type StartedChat =
  | { kind: 'completion'; completion: ChatCompletion }
  | { kind: 'stream'; first: ChatCompletionChunk; rest: AsyncIterator<ChatCompletionChunk> };

const STREAM_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };

/**
 * `POST /v1/chat/completions`: validate, resolve the alias, run the route (retries, fallback) until
 * a target answers — for streams, until it produced its first chunk, so fallback stays possible
 * and the client sees a real HTTP status — then answer as JSON or as an SSE stream.
 */
export async function handleChatCompletions(runtime: GatewayRuntime, request: Request, record: RequestRecord, requestSignal: RequestSignal): Promise<HandlerResult> {
  const { config } = runtime;
  const { body: raw, size } = await readJsonBody(request, config.limits);
  const body = validateChatRequest(raw, config.limits);
  logRequestBody(runtime, request, raw, record);
  record.modelRequested = body.model;
  record.stream = body.stream === true;
  record.user = body.user ?? null;
  record.tags = parseTags(request.headers.get('x-switchyard-tags'), body.metadata);
  assertModelAccess(config, record.principal, body.model);

  const plan = planRequestRoute(runtime, request, body.model);
  await reserveChat(runtime, record, body, size, plan);
  const started = await executeRoute(plan, (target, signal, firstByte) => startChat(runtime, body, target, signal, firstByte, record, request.headers), routeOptions(runtime, record, requestSignal));
  const headers = routingHeaders(record, started);
  const price = priceFor(started.target.model, started.target.price);

  if (started.value.kind === 'completion') {
    const completion = normaliseCompletion(started.value.completion, record, started.target);
    logCompletion(runtime, completion, record);
    accountUsage(record, { usage: completion.usage, promptBytes: size, completionChars: completionChars(completion) }, price);
    headers[COST_HEADER] = formatCostHeader(record.costMicroUsd);
    return completed(new Response(JSON.stringify(completion), { status: 200, headers: { 'content-type': 'application/json', ...headers } }));
  }

  return streamResponse(runtime, body, record, started as StartedCall<Extract<StartedChat, { kind: 'stream' }>>, headers, size, price);
}

function streamResponse(
  runtime: GatewayRuntime,
  body: ChatCompletionRequest,
  record: RequestRecord,
  started: StartedCall<Extract<StartedChat, { kind: 'stream' }>>,
  headers: Record<string, string>,
  promptBytes: number,
  price: ReturnType<typeof priceFor>,
): HandlerResult {
  let resolveFinished: (outcome: HandlerOutcome) => void = () => undefined;
  const finished = new Promise<HandlerOutcome>((resolve) => (resolveFinished = resolve));
  const { first, rest } = started.value;
  const stream = createSseBody({
    first,
    rest,
    includeUsage: body.stream_options?.include_usage === true,
    estimateUsage: (completionChars) => usageFromTokens(estimateTokens(promptBytes, completionChars)),
    defaults: { id: `chatcmpl-${record.requestId}`, created: Math.floor(runtime.deps.clock.now() / 1000), model: started.target.model },
    heartbeatMs: runtime.config.timeouts.heartbeatMs,
    idleMs: runtime.config.timeouts.idleMs,
    clock: runtime.deps.clock,
    abortUpstream: (reason) => started.controller.abort(reason),
    onDone: (outcome: StreamOutcome) => {
      accountUsage(record, { usage: outcome.usage, promptBytes, completionChars: outcome.completionChars }, price);
      resolveFinished({
        status: outcome.status,
        httpStatus: outcome.status === 'client_closed' ? 499 : 200,
        errorType: outcome.error?.errorType ?? null,
      });
    },
  });
  return { response: new Response(stream, { status: 200, headers: { ...STREAM_HEADERS, ...headers } }), finished };
}

/**
 * One attempt: call the provider and, for a stream, wait for its first chunk. A non-streamed
 * answer's first byte is its response headers: the body may then take as long as generation does.
 */
async function startChat(runtime: GatewayRuntime, body: ChatCompletionRequest, target: RouteTarget, signal: AbortSignal, firstByte: () => void, record: RequestRecord, clientHeaders: Headers): Promise<StartedChat> {
  const adapter = adapterFor(runtime, target);
  const apiKey = await apiKeyFor(runtime, target, adapter);
  const request = target.params ? ({ ...body, ...target.params } as ChatCompletionRequest) : body;
  const call: ChatCall = {
    request: decodeChatRequest(request),
    model: target.model,
    stream: body.stream === true,
    maxOutputTokens: outputTokenLimit(request, target, adapter),
  };
  const result: ChatResult = await adapter.chat(
    call,
    callContextFor(runtime, target, apiKey, {
      fetch: call.stream ? runtime.deps.fetch : fetchNotifyingHeaders(runtime.deps.fetch, firstByte),
      signal,
      clientHeaders,
      requestId: record.requestId,
    }),
  );
  const identity = { id: `chatcmpl-${record.requestId}`, created: Math.floor(runtime.deps.clock.now() / 1000), model: target.model };
  if (result.kind === 'completion' || result.kind === 'native-completion') {
    record.ttftMs = runtime.deps.clock.now() - record.startedAtMs;
    return { kind: 'completion', completion: result.kind === 'completion' ? encodeChatCompletion(result.completion, identity) : (result.body as ChatCompletion) };
  }
  const chunks = result.kind === 'stream' ? encodeChatChunks(result.events, identity) : (result.events as AsyncIterable<ChatCompletionChunk>);
  const rest = chunks[Symbol.asyncIterator]();
  const first = await rest.next();
  if (first.done) {
    throw new GatewayError({ status: 502, type: 'upstream_error', code: 'upstream_cut', message: `${target.providerName}: the stream ended before any content.`, verdict: 'retryable', errorClass: 'connection', provider: target.providerName });
  }
  record.ttftMs = runtime.deps.clock.now() - record.startedAtMs;
  return { kind: 'stream', first: first.value, rest };
}

/** Makes a provider completion schema-valid (DESIGN §2): refusal/logprobs present, ids filled. */
function normaliseCompletion(completion: ChatCompletion, record: RequestRecord, target: RouteTarget): ChatCompletion {
  if (!completion.id) completion.id = `chatcmpl-${record.requestId}`;
  if (!completion.model) completion.model = target.model;
  if (!completion.created) completion.created = Math.floor(record.startedAtMs / 1000);
  completion.object = 'chat.completion';
  if (completion.system_fingerprint === null) delete completion.system_fingerprint;
  for (const choice of completion.choices ?? []) {
    if (choice.logprobs === undefined) choice.logprobs = null;
    if (choice.finish_reason === undefined) choice.finish_reason = null;
    if (choice.message && choice.message.refusal === undefined) choice.message.refusal = null;
    if (choice.message && choice.message.content === undefined) choice.message.content = null;
  }
  return completion;
}

function completionChars(completion: ChatCompletion): number {
  let chars = 0;
  for (const choice of completion.choices ?? []) {
    chars += choice.message?.content?.length ?? 0;
    for (const call of choice.message?.tool_calls ?? []) chars += call.function.arguments.length;
  }
  return chars;
}
