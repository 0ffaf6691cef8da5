import type { SseEvent } from '../../streaming/sse-decoder';
import { invalidRequest } from '../../errors';
import { callRoute } from '../../pipeline/call-route';
import { exactInputTokens } from '../../pipeline/count-tokens';
import { assertModelAccess } from '../../pipeline/model-access';
import { completed, type HandlerResult } from '../../pipeline/handler-result';
import { completionChars, jsonAnswer, streamAnswer } from '../../pipeline/answer';
import { ResponsesAssembler } from './transcript';
import { auditRequestBody } from '../../audit/audit-trail';
import { readJsonBody } from '../../pipeline/read-body';
import type { RequestSignal } from '../../pipeline/request-signal';
import { logRequestBody } from '../../pipeline/request-log';
import type { GatewayRuntime } from '../../runtime';
import type { RequestRecord } from '../../usage/request-record';
import { estimateTokens, TOKEN_COUNT_HEADER, usageFromTokens } from '../../usage/token-counts';
import { decodeResponsesRequest } from './decode';
import { encodeResponse, ResponsesStreamEncoder, type ResponseIdentity } from './encode';
import { fromResponsesUsage, NativeResponsesStreamEncoder } from './native';
import type { ResponsesUsage } from './types';
import { continueConversation, keepResponse, shouldStore } from './stored';
import { validateResponsesRequest } from './validate';

/**
 * `POST /v1/responses` (DESIGN §2): parse and validate the Responses body, decode it into the
 * canonical request, run the model call (the protocol-neutral pipeline), and answer as a
 * `response` object or as the Responses event stream: relayed as sent from a target that speaks
 * the Responses API (native pass-through), encoded from the canonical answer of any other.
 * `previous_response_id` continues a stored conversation for any target, and a response is kept
 * for the key unless the client says `store: false` (where the deployment has a ResponseStore).
 */
export async function handleResponses(runtime: GatewayRuntime, request: Request, record: RequestRecord, requestSignal: RequestSignal): Promise<HandlerResult> {
  const { body: raw, size } = await readJsonBody(request, runtime.config.limits);
  auditRequestBody(record, raw);
  const validated = validateResponsesRequest(raw, runtime.config.limits);
  logRequestBody(runtime, request, raw, record);
  // The stored conversation of `previous_response_id`, then this request's input.
  const { body, input, previousResponseId } = await continueConversation(runtime, record, validated);
  // A larger prompt costs more: the conversation pulled from the store counts in the budget bound.
  const bodyBytes = previousResponseId ? JSON.stringify(body).length : size;
  const canonical = decodeResponsesRequest(body);
  // A target's forced `params` are merged into the client's body, in its protocol's names, as on chat.
  const requestFor = (params: Record<string, unknown> | undefined) => (params ? decodeResponsesRequest(validateResponsesRequest({ ...body, ...params }, runtime.config.limits)) : canonical);
  const { started, headers, price } = await callRoute(runtime, request, record, requestSignal, { request: canonical, bodyBytes, requestFor: (target) => requestFor(target.params) });
  const stored = shouldStore(runtime, validated);
  // A streamed response is kept before its terminal event reaches the client (the encoders wait
  // for this), so a client that retrieves or continues it at once finds it, on Lambda too.
  const keep = (response: Record<string, unknown>): Promise<void> | undefined => (stored ? keepResponse(runtime, record, response, input) : undefined);
  const identity: ResponseIdentity = { id: `resp_${record.requestId.replace(/^req_/, '')}`, createdAt: Math.floor(record.startedAtMs / 1000), model: started.target.model, request: validated, stored, previousResponseId, nowSeconds: () => Math.floor(runtime.deps.clock.now() / 1000) };
  const answer = started.value;

  if (answer.kind === 'completion') {
    const chars = completionChars(answer.completion);
    const usage = answer.completion.usage ?? usageFromTokens(estimateTokens(bodyBytes, chars));
    const response = encodeResponse(answer.completion, identity, usage);
    if (stored) await keepResponse(runtime, record, response, input);
    return jsonAnswer(runtime, record, { body: response, usage: answer.completion.usage, completionChars: chars, promptBytes: bodyBytes, price, headers });
  }
  if (answer.kind === 'native-completion') {
    // Passed through: the client gets the target's response as sent.
    const response = answer.body as Record<string, unknown> & { usage?: ResponsesUsage | null };
    if (stored) await keepResponse(runtime, record, response, input);
    return jsonAnswer(runtime, record, { body: response, usage: fromResponsesUsage(response.usage), completionChars: 0, promptBytes: bodyBytes, price, headers });
  }
  const stream = { promptBytes: bodyBytes, price, headers, abort: (reason: unknown) => started.controller.abort(reason), assembler: () => new ResponsesAssembler() };
  return answer.kind === 'native-stream'
    ? streamAnswer(runtime, record, { ...stream, first: answer.first as SseEvent, rest: answer.rest as AsyncIterator<SseEvent>, encoder: new NativeResponsesStreamEncoder(keep) })
    : streamAnswer(runtime, record, { ...stream, first: answer.first, rest: answer.rest, encoder: new ResponsesStreamEncoder(identity, keep) });
}

/**
 * `POST /v1/responses/input_tokens`: the input tokens of a Responses body with the conversation
 * it continues — exact where the alias's first target counts them (a Responses server's own
 * `input_tokens`, Anthropic's `count_tokens` of the translated request), else estimated at about
 * four characters of the body per token; `x-switchyard-token-count` says which. No model is
 * called and no budget reserved. The key must be allowed the model.
 */
export async function handleInputTokens(runtime: GatewayRuntime, request: Request, record: RequestRecord): Promise<HandlerResult> {
  const { body: raw, size } = await readJsonBody(request, runtime.config.limits);
  const validated = validateResponsesRequest(raw, runtime.config.limits);
  record.modelRequested = validated.model;
  const alias = assertModelAccess(runtime.config, record.principal, validated.model);
  // The stored conversation of `previous_response_id` counts too, as it would in the call.
  const { body, previousResponseId } = await continueConversation(runtime, record, validated);
  const exact = await exactInputTokens(runtime, request, record, decodeResponsesRequest(body), alias);
  const inputTokens = exact ?? estimateTokens(previousResponseId ? JSON.stringify(body).length : size, 0).input;
  const headers = { 'content-type': 'application/json', [TOKEN_COUNT_HEADER]: exact === undefined ? 'estimated' : 'exact' };
  return completed(new Response(JSON.stringify({ object: 'response.input_tokens', input_tokens: inputTokens }), { status: 200, headers }));
}

/** `POST /v1/responses/compact`: not offered; a 400 that says so, so a client falls back to its own compaction. */
export function refuseCompaction(): never {
  throw invalidRequest('Server-side compaction (/v1/responses/compact) is not supported by this gateway; compact the conversation client-side.', null, 'unsupported_endpoint');
}
