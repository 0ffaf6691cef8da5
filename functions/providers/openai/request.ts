import type { CanonicalRequest } from '../../core/model/request';
import type { CallContext, ChatCall, EmbeddingCall } from '../../core/ports/provider';
import type { ChatCompletionRequest } from '../../core/protocols/openai-chat/types';
import type { UpstreamRequest } from '../http-provider';
import type { OpenAiSettings } from './settings';
import { chatBodyOf } from './translate';

const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** Fields the gateway consumes itself and never forwards (`metadata` carries attribution tags). */
const GATEWAY_ONLY_FIELDS = ['metadata'];

/**
 * URL and auth headers: OpenAI and compatible servers take `Authorization: Bearer`; Azure OpenAI
 * takes `api-key` and addresses the model as a deployment with an `api-version` query.
 */
function endpoint(ctx: CallContext<OpenAiSettings>, model: string, operation: 'chat/completions' | 'embeddings' | 'responses'): Pick<UpstreamRequest, 'url' | 'headers'> {
  const { settings } = ctx;
  const base = (settings.baseUrl ?? OPENAI_BASE_URL).replace(/\/+$/, '');
  if (settings.azure && operation === 'responses') {
    // Azure's Responses API is not per deployment: the deployment is the body's `model`.
    return { url: `${base}/openai/responses?api-version=${encodeURIComponent(settings.azure.apiVersion)}`, headers: ctx.apiKey ? { 'api-key': ctx.apiKey } : {} };
  }
  if (settings.azure) {
    return {
      url: `${base}/openai/deployments/${encodeURIComponent(model)}/${operation}?api-version=${encodeURIComponent(settings.azure.apiVersion)}`,
      headers: ctx.apiKey ? { 'api-key': ctx.apiKey } : {},
    };
  }
  return { url: `${base}/${operation}`, headers: ctx.apiKey ? { authorization: `Bearer ${ctx.apiKey}` } : {} };
}

/**
 * The upstream chat body: the client's Chat Completions body (passed through natively) with the provider model, usage always requested
 * on streams (the gateway needs it for billing even when the client did not ask), and the output
 * limit injected when the client sent none. OpenAI itself wants `max_completion_tokens`; other
 * OpenAI-compatible servers widely understand only `max_tokens`.
 */
export function buildChatRequest(call: ChatCall, ctx: CallContext<OpenAiSettings>): UpstreamRequest {
  const { settings } = ctx;
  const nativeOpenAi = isOpenAiHosted(settings);
  if (call.request.native.protocol !== 'openai-chat') return { ...endpoint(ctx, call.model, 'chat/completions'), body: chatBodyOf(call, ctx, nativeOpenAi) };
  const client = call.request.native.body as ChatCompletionRequest;
  const body: Record<string, unknown> = { ...client, model: call.model, stream: call.stream };
  for (const field of GATEWAY_ONLY_FIELDS) delete body[field];
  if (call.stream) body.stream_options = { ...(client.stream_options ?? {}), include_usage: true };
  else delete body.stream_options;
  const limit = call.maxOutputTokens;
  // A client limit above the target's (capped by the gateway) is lowered in whichever field it used.
  if (limit !== undefined) {
    for (const field of ['max_tokens', 'max_completion_tokens'] as const) {
      const sent = client[field];
      if (sent != null && sent > limit) body[field] = limit;
    }
  }
  if (client.max_tokens == null && client.max_completion_tokens == null && limit !== undefined) {
    body[nativeOpenAi ? 'max_completion_tokens' : 'max_tokens'] = limit;
  }
  return { ...endpoint(ctx, call.model, 'chat/completions'), body };
}

/** Whether the provider is OpenAI's own API or Azure OpenAI, rather than another compatible server. */
function isOpenAiHosted(settings: OpenAiSettings): boolean {
  return settings.baseUrl === undefined || settings.azure !== undefined || settings.baseUrl.includes('api.openai.com');
}

/** Whether a Responses client's request passes through to this server's own Responses API. */
export function speaksResponses(settings: OpenAiSettings): boolean {
  return settings.responsesApi ?? isOpenAiHosted(settings);
}

/**
 * The upstream request of a Responses client passed through natively: the client's body with
 * the provider model, whether to stream, and the output limit (a larger client limit lowered,
 * the limit injected when the client sent none, so the budget reservation is an upper bound).
 */
export function buildResponsesRequest(call: ChatCall, ctx: CallContext<OpenAiSettings>): UpstreamRequest {
  const client = call.request.native.body as Record<string, unknown>;
  const body: Record<string, unknown> = { ...client, model: call.model, stream: call.stream };
  for (const field of GATEWAY_ONLY_FIELDS) delete body[field];
  const sent = client.max_output_tokens;
  const limit = call.maxOutputTokens;
  if (limit !== undefined && (typeof sent !== 'number' || sent > limit)) body.max_output_tokens = limit;
  return { ...endpoint(ctx, call.model, 'responses'), body };
}

/** Fields of a Responses body that `input_tokens` counts (it takes no output or storage settings). */
const COUNTED_RESPONSES_FIELDS = ['input', 'instructions', 'tools', 'tool_choice', 'parallel_tool_calls', 'reasoning', 'text', 'truncation'];

/** `POST {base}/responses/input_tokens` with the client's Responses body (its conversation expanded) for `model`. */
export function buildInputTokensRequest(request: CanonicalRequest, model: string, ctx: CallContext<OpenAiSettings>): UpstreamRequest {
  const client = request.native.body as Record<string, unknown>;
  const body: Record<string, unknown> = { model };
  for (const field of COUNTED_RESPONSES_FIELDS) if (client[field] !== undefined) body[field] = client[field];
  const responses = endpoint(ctx, model, 'responses');
  const url = new URL(responses.url);
  url.pathname = `${url.pathname}/input_tokens`;
  return { ...responses, url: url.toString(), body };
}

/** The upstream embeddings body: passed through with the provider model. */
export function buildEmbeddingRequest(call: EmbeddingCall, ctx: CallContext<OpenAiSettings>): UpstreamRequest {
  return { ...endpoint(ctx, call.model, 'embeddings'), body: { ...call.request, model: call.model } };
}
