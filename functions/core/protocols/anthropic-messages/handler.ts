import { modelNotFound } from '../../errors';
import type { SseEvent } from '../../streaming/sse-decoder';
import { callRoute } from '../../pipeline/call-route';
import { completed, type HandlerResult } from '../../pipeline/handler-result';
import { completionChars, jsonAnswer, streamAnswer } from '../../pipeline/answer';
import { assertModelAccess, mayUseModel } from '../../pipeline/model-access';
import { MessagesAssembler } from './transcript';
import { auditRequestBody } from '../../audit/audit-trail';
import { readJsonBody } from '../../pipeline/read-body';
import { exactInputTokens } from '../../pipeline/count-tokens';
import type { RequestSignal } from '../../pipeline/request-signal';
import { logRequestBody } from '../../pipeline/request-log';
import { isAliasPattern } from '../../routing/resolve-alias';
import type { GatewayRuntime } from '../../runtime';
import type { RequestRecord } from '../../usage/request-record';
import { estimateTokens, TOKEN_COUNT_HEADER } from '../../usage/token-counts';
import { decodeMessagesRequest } from './decode';
import { encodeMessage, MessagesStreamEncoder, type MessageIdentity } from './encode';
import { fromMessagesUsage, NativeMessagesStreamEncoder, type MessagesWireUsage } from './native';
import type { MessagesRequest } from './types';
import { validateCountTokensRequest, validateMessagesRequest } from './validate';

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * `POST /v1/messages` (also `?beta=true`): parse and validate the Messages body, decode it into the
 * canonical request, run the model call (the protocol-neutral pipeline), and answer as an
 * Anthropic `message` or as Anthropic's SSE event sequence: relayed unchanged from an Anthropic
 * target (native pass-through), encoded from the canonical answer of any other.
 */
export async function handleMessages(runtime: GatewayRuntime, request: Request, record: RequestRecord, requestSignal: RequestSignal): Promise<HandlerResult> {
  const { body: raw, size } = await readJsonBody(request, runtime.config.limits);
  auditRequestBody(record, raw);
  const body = validateMessagesRequest(raw, runtime.config.limits);
  logRequestBody(runtime, request, raw, record);
  const canonical = decodeMessagesRequest(body);
  // A target's forced `params` are merged into the client's body, in its protocol's names, as on chat.
  const requestFor = (params: Record<string, unknown> | undefined) => (params ? decodeMessagesRequest(validateMessagesRequest({ ...raw, ...params }, runtime.config.limits)) : canonical);
  const { started, headers, price } = await callRoute(runtime, request, record, requestSignal, { request: canonical, bodyBytes: size, requestFor: (target) => requestFor(target.params) });
  const identity: MessageIdentity = { id: `msg_${record.requestId.replace(/^req_/, '')}`, model: started.target.model };
  const answer = started.value;

  if (answer.kind === 'native-completion') {
    // Passed through: the client gets Anthropic's answer as sent.
    const message = answer.body as { usage?: MessagesWireUsage };
    return jsonAnswer(runtime, record, { body: message, usage: message.usage && fromMessagesUsage(message.usage), completionChars: 0, promptBytes: size, price, headers });
  }
  if (answer.kind === 'completion') {
    const body = encodeMessage(answer.completion, identity);
    return jsonAnswer(runtime, record, { body, usage: answer.completion.usage, completionChars: completionChars(answer.completion), promptBytes: size, price, headers });
  }

  const stream = { promptBytes: size, price, headers, abort: (reason: unknown) => started.controller.abort(reason), assembler: () => new MessagesAssembler() };
  return answer.kind === 'native-stream'
    ? streamAnswer(runtime, record, { ...stream, first: answer.first as SseEvent, rest: answer.rest as AsyncIterator<SseEvent>, encoder: new NativeMessagesStreamEncoder() })
    : streamAnswer(runtime, record, { ...stream, first: answer.first, rest: answer.rest, encoder: new MessagesStreamEncoder(identity) });
}

/**
 * `POST /v1/messages/count_tokens` (DESIGN §2): exact from the alias's first target where its
 * provider counts tokens (Anthropic's own `count_tokens`), otherwise — or when that call fails —
 * an estimate of about four characters of the body per token; `x-switchyard-token-count` says
 * which (`exact` or `estimated`). No budget is reserved and no model is called. The key must be
 * allowed the model.
 */
export async function handleCountTokens(runtime: GatewayRuntime, request: Request, record: RequestRecord): Promise<HandlerResult> {
  const { body: raw, size } = await readJsonBody(request, runtime.config.limits);
  const body = validateCountTokensRequest(raw, runtime.config.limits);
  record.modelRequested = body.model;
  const alias = assertModelAccess(runtime.config, record.principal, body.model);
  // A count body is a Messages body without `max_tokens`: decoded, it has no output limit, which counting never reads.
  const exact = await exactInputTokens(runtime, request, record, decodeMessagesRequest(body as MessagesRequest), alias);
  const inputTokens = exact ?? estimateTokens(size, 0).input;
  return completed(new Response(JSON.stringify({ input_tokens: inputTokens }), { status: 200, headers: { ...JSON_HEADERS, [TOKEN_COUNT_HEADER]: exact === undefined ? 'estimated' : 'exact' } }));
}

/** An alias as an Anthropic `ModelInfo`. */
function modelInfo(alias: string, createdSeconds: number): Record<string, unknown> {
  return { type: 'model', id: alias, display_name: alias, created_at: new Date(createdSeconds * 1000).toISOString() };
}

/** `GET /v1/models` for an Anthropic client (it sends `anthropic-version`): the key's aliases in Anthropic's list shape. */
export function handleListAnthropicModels(runtime: GatewayRuntime, record: RequestRecord, createdSeconds: number): HandlerResult {
  const data = Object.keys(runtime.config.models)
    .filter((alias) => !isAliasPattern(alias) && mayUseModel(record.principal, alias))
    .map((alias) => modelInfo(alias, createdSeconds));
  const body = { data, has_more: false, first_id: (data[0]?.id as string | undefined) ?? null, last_id: (data[data.length - 1]?.id as string | undefined) ?? null };
  return completed(new Response(JSON.stringify(body), { status: 200, headers: JSON_HEADERS }));
}

/** `GET /v1/models/{id}` for an Anthropic client. */
export function handleRetrieveAnthropicModel(runtime: GatewayRuntime, record: RequestRecord, id: string, createdSeconds: number): HandlerResult {
  if (!Object.hasOwn(runtime.config.models, id) || isAliasPattern(id) || !mayUseModel(record.principal, id)) throw modelNotFound(id);
  return completed(new Response(JSON.stringify(modelInfo(id, createdSeconds)), { status: 200, headers: JSON_HEADERS }));
}
