import type { CallContext, ChatCall, ChatResult, ProviderAdapter, ProviderSettings } from '../../functions/core/ports/provider';
import { decodeChatRequest } from '../../functions/core/protocols/openai-chat/decode';
import { encodeChatChunks, encodeChatCompletion } from '../../functions/core/protocols/openai-chat/encode';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from '../../functions/core/protocols/openai-chat/types';

/** A chat call for `request` as the gateway routes it: the Chat Completions body decoded into the canonical model. */
export function decodedCall(request: ChatCompletionRequest, options: { model: string; stream?: boolean; maxOutputTokens?: number | undefined }): ChatCall {
  return { request: decodeChatRequest(request), model: options.model, stream: options.stream ?? request.stream === true, maxOutputTokens: options.maxOutputTokens };
}

/** A provider's answer as a Chat Completions client gets it. */
export type ChatAnswer = { kind: 'completion'; completion: ChatCompletion } | { kind: 'stream'; chunks: AsyncIterable<ChatCompletionChunk> };

/**
 * Calls `adapter` and encodes its answer as the Chat Completions protocol does (what a chat client
 * receives before the core's normalisation), so provider tests can read chat shapes.
 */
export async function chatVia<S extends ProviderSettings>(adapter: ProviderAdapter<S>, call: ChatCall, ctx: CallContext<S>): Promise<ChatAnswer> {
  return asChat(await adapter.chat(call, ctx), call, ctx);
}

function asChat(result: ChatResult, call: ChatCall, ctx: CallContext): ChatAnswer {
  const identity = { id: `chatcmpl-${ctx.requestId}`, created: ctx.nowSeconds(), model: call.model };
  switch (result.kind) {
    case 'completion':
      return { kind: 'completion', completion: encodeChatCompletion(result.completion, identity) };
    case 'stream':
      return { kind: 'stream', chunks: encodeChatChunks(result.events, identity) };
    case 'native-completion':
      return { kind: 'completion', completion: result.body as ChatCompletion };
    case 'native-stream':
      return { kind: 'stream', chunks: result.events as AsyncIterable<ChatCompletionChunk> };
  }
}
