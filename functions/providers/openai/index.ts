import type { EmbeddingResponse } from '../../core/protocols/openai-chat/types';
import { badUpstreamJson, readJson, sendUpstream, translateSse, upstreamCut } from '../http-provider';
import type { CallContext, ChatCall, ChatResult, ProviderAdapter } from '../../core/ports/provider';
import type { OpenAiSettings } from './settings';
import { parseOpenAiError } from './errors';
import { openAiMaxOutputTokens } from './limits';
import { buildChatRequest, buildEmbeddingRequest, buildInputTokensRequest, buildResponsesRequest, speaksResponses } from './request';
import { createResponsesStreamReader } from './responses-native';
import { createOpenAiStreamTranslator } from './stream';
import { createChatToCanonicalTranslator, parseChatCompletion } from './translate';

/** A Responses client's request, passed through to the server's own Responses API; the answer comes back as sent. */
async function passResponsesThrough(call: ChatCall, ctx: CallContext<OpenAiSettings>): Promise<ChatResult> {
  const response = await sendUpstream(ctx, buildResponsesRequest(call, ctx), parseOpenAiError);
  if (!call.stream) return { kind: 'native-completion', body: await readJson(response, ctx) };
  if (!response.body) throw upstreamCut(ctx.providerName, 'The upstream returned an empty stream.');
  return { kind: 'native-stream', events: translateSse(response.body, createResponsesStreamReader(ctx.providerName), ctx) };
}

/**
 * OpenAI and every OpenAI-compatible server (vLLM, Ollama, LM Studio, Azure OpenAI, …). A Chat
 * Completions request passes through natively (DESIGN §1): the client's body goes upstream with
 * the gateway's rewrites, and the answer comes back in the client's wire format, which the core
 * normalises. A Responses request passes through natively to a server that speaks the Responses
 * API (`responsesApi`; OpenAI and Azure by default). A request in another protocol (Anthropic
 * Messages, Responses to a chat-only server) is translated from the canonical model, and the
 * answer back into it.
 */
export const openaiProvider: ProviderAdapter<OpenAiSettings> = {
  type: 'openai',
  requiresApiKey: false,
  maxOutputTokens: openAiMaxOutputTokens,
  async chat(call: ChatCall, ctx: CallContext<OpenAiSettings>): Promise<ChatResult> {
    if (call.request.native.protocol === 'openai-responses' && speaksResponses(ctx.settings)) return passResponsesThrough(call, ctx);
    const native = call.request.native.protocol === 'openai-chat';
    const response = await sendUpstream(ctx, buildChatRequest(call, ctx), parseOpenAiError);
    if (!call.stream) {
      const json = await readJson(response, ctx);
      return native ? { kind: 'native-completion', body: json } : { kind: 'completion', completion: parseChatCompletion(json, ctx.providerName) };
    }
    if (!response.body) throw upstreamCut(ctx.providerName, 'The upstream returned an empty stream.');
    if (!native) return { kind: 'stream', events: translateSse(response.body, createChatToCanonicalTranslator(ctx), ctx) };
    return { kind: 'native-stream', events: translateSse(response.body, createOpenAiStreamTranslator(ctx.providerName), ctx) };
  },
  /** Counted by a server with a Responses API, for a Responses client's request; others cannot count. */
  async countInputTokens(request, model, ctx): Promise<number | undefined> {
    if (request.native.protocol !== 'openai-responses' || !speaksResponses(ctx.settings)) return undefined;
    const json = (await readJson(await sendUpstream(ctx, buildInputTokensRequest(request, model, ctx), parseOpenAiError), ctx)) as { input_tokens?: unknown };
    if (typeof json.input_tokens !== 'number') throw badUpstreamJson(ctx.providerName, 'a body');
    return json.input_tokens;
  },
  async embeddings(call, ctx): Promise<EmbeddingResponse> {
    const response = await sendUpstream(ctx, buildEmbeddingRequest(call, ctx), parseOpenAiError);
    return (await readJson(response, ctx)) as EmbeddingResponse;
  },
};
