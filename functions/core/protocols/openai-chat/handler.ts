import { GatewayError } from '../../errors';
import { callRoute, type StartedAnswer } from '../../pipeline/call-route';
import type { HandlerResult } from '../../pipeline/handler-result';
import { jsonAnswer, streamAnswer, withFirst } from '../../pipeline/answer';
import { ChatAssembler } from './transcript';
import { auditRequestBody } from '../../audit/audit-trail';
import { readJsonBody } from '../../pipeline/read-body';
import type { RequestSignal } from '../../pipeline/request-signal';
import { logRequestBody } from '../../pipeline/request-log';
import type { GatewayRuntime } from '../../runtime';
import type { RequestRecord } from '../../usage/request-record';
import { decodeChatRequest } from './decode';
import { encodeChatChunks, encodeChatCompletion, fromChatUsage, type ChatIdentity } from './encode';
import { ChatStreamEncoder } from './stream-encoder';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from './types';
import { validateChatRequest } from './validate';

/**
 * `POST /v1/chat/completions`: parse and validate the Chat Completions body, decode it into the
 * canonical request, run the model call (the protocol-neutral pipeline), and answer as a
 * `chat.completion` or as an SSE stream of chunks — encoded from the canonical answer, or the
 * target's own chat answer when it was passed through natively.
 */
export async function handleChatCompletions(runtime: GatewayRuntime, request: Request, record: RequestRecord, requestSignal: RequestSignal): Promise<HandlerResult> {
  const { body: raw, size } = await readJsonBody(request, runtime.config.limits);
  auditRequestBody(record, raw);
  const body = validateChatRequest(raw, runtime.config.limits);
  logRequestBody(runtime, request, raw, record);
  const canonical = decodeChatRequest(body);
  const requestFor = (params: Record<string, unknown> | undefined) => (params ? decodeChatRequest({ ...body, ...params } as ChatCompletionRequest) : canonical);
  const { started, headers, price } = await callRoute(runtime, request, record, requestSignal, {
    request: canonical,
    bodyBytes: size,
    requestFor: (target) => requestFor(target.params),
  });
  const identity: ChatIdentity = { id: `chatcmpl-${record.requestId}`, created: Math.floor(runtime.deps.clock.now() / 1000), model: started.target.model };
  const answer = started.value;

  if (answer.kind === 'completion' || answer.kind === 'native-completion') {
    const completion = normaliseCompletion(answer.kind === 'completion' ? encodeChatCompletion(answer.completion, identity) : (answer.body as ChatCompletion), identity);
    return jsonAnswer(runtime, record, { body: completion, usage: completion.usage && fromChatUsage(completion.usage), completionChars: chatCompletionChars(completion), promptBytes: size, price, headers });
  }

  const { first, rest } = await chatChunks(answer, identity, started.target.providerName);
  return streamAnswer(runtime, record, {
    first,
    rest,
    encoder: new ChatStreamEncoder(identity, body.stream_options?.include_usage === true),
    promptBytes: size,
    price,
    headers,
    abort: (reason) => started.controller.abort(reason),
    assembler: () => new ChatAssembler(),
  });
}

/**
 * The started stream as chat chunks: the target's own chunks as they come, or chunks encoded from
 * canonical events (where the first event may yield no chunk yet, so the first chunk is awaited).
 */
async function chatChunks(answer: Extract<StartedAnswer, { kind: 'stream' | 'native-stream' }>, identity: ChatIdentity, providerName: string): Promise<{ first: ChatCompletionChunk; rest: AsyncIterator<ChatCompletionChunk> }> {
  if (answer.kind === 'native-stream') return { first: answer.first as ChatCompletionChunk, rest: answer.rest as AsyncIterator<ChatCompletionChunk> };
  const chunks = encodeChatChunks(withFirst(answer.first, answer.rest), identity);
  const first = await chunks.next();
  if (first.done) throw new GatewayError({ status: 502, type: 'upstream_error', code: 'upstream_cut', message: `${providerName}: the stream ended before any content.`, verdict: 'retryable', errorClass: 'connection', provider: providerName });
  return { first: first.value, rest: chunks };
}

/** Makes a completion schema-valid (DESIGN §2): refusal/logprobs present, ids filled. */
function normaliseCompletion(completion: ChatCompletion, identity: ChatIdentity): ChatCompletion {
  if (!completion.id) completion.id = identity.id;
  if (!completion.model) completion.model = identity.model;
  if (!completion.created) completion.created = identity.created;
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

function chatCompletionChars(completion: ChatCompletion): number {
  let chars = 0;
  for (const choice of completion.choices ?? []) {
    chars += choice.message?.content?.length ?? 0;
    for (const call of choice.message?.tool_calls ?? []) chars += call.function.arguments.length;
  }
  return chars;
}
