import type { ChatCompletionChunk, ChatCompletionRequest } from '../../../../functions/core/protocols/openai-chat/types';
import type { CallContext, ChatCall } from '../../../../functions/core/ports/provider';
import { decodedCall } from '../../chat-protocol';
import type { GeminiSettings } from '../../../../functions/providers/gemini/settings';

/** The request id every test call uses, so generated tool-call ids are predictable. */
export const REQUEST_ID = 'req_test1';

/** A call context aimed at a fake upstream, with the real global fetch. */
export function callContext(baseUrl: string, settings: Partial<Omit<GeminiSettings, 'type'>> = {}): CallContext<GeminiSettings> {
  return {
    providerName: 'gemini',
    settings: { type: 'gemini', baseUrl, ...settings },
    apiKey: 'test-gemini-key',
    fetch,
    signal: new AbortController().signal,
    nowSeconds: () => 1_700_000_000,
    requestId: REQUEST_ID,
  };
}

/** A chat call for `request` on `model`. */
export function chatCall(request: Partial<ChatCompletionRequest>, options: { model?: string; stream?: boolean; maxOutputTokens?: number } = {}): ChatCall {
  const stream = options.stream ?? false;
  const body: ChatCompletionRequest = { model: 'alias', messages: [{ role: 'user', content: 'Hello' }], ...request, ...(stream ? { stream: true } : {}) };
  return decodedCall(body, { model: options.model ?? 'gemini-2.5-flash', stream, maxOutputTokens: options.maxOutputTokens });
}

/** One tool call as a client reassembles it from stream deltas. */
interface AssembledToolCall {
  id: string | undefined;
  name: string | undefined;
  arguments: string;
}

/** What an OpenAI client reassembles from a stream of chunks (choice 0). */
export interface Assembled {
  text: string;
  reasoning: string;
  toolCalls: AssembledToolCall[];
  finishReasons: Array<string | null>;
  usage: ChatCompletionChunk['usage'];
}

/** Concatenates a stream's deltas the way the OpenAI SDK does. */
export function assemble(chunks: ChatCompletionChunk[]): Assembled {
  const out: Assembled = { text: '', reasoning: '', toolCalls: [], finishReasons: [], usage: undefined };
  for (const chunk of chunks) {
    if (chunk.usage) out.usage = chunk.usage;
    for (const choice of chunk.choices) {
      if (choice.finish_reason !== null) out.finishReasons.push(choice.finish_reason);
      out.text += choice.delta.content ?? '';
      out.reasoning += choice.delta.reasoning_content ?? '';
      for (const call of choice.delta.tool_calls ?? []) {
        const slot = (out.toolCalls[call.index] ??= { id: undefined, name: undefined, arguments: '' });
        slot.id ??= call.id;
        slot.name ??= call.function?.name;
        slot.arguments += call.function?.arguments ?? '';
      }
    }
  }
  return out;
}
