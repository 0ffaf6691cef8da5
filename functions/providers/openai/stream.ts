import type { ChatCompletionChunk } from '../../core/protocols/openai-chat/types';
import type { SseEvent } from '../../core/streaming/sse-decoder';
import { streamError } from '../error-mapping';
import { badUpstreamJson, upstreamCut } from '../http-provider';
import type { StreamTranslator } from '../../core/ports/provider';

/**
 * OpenAI-compatible streams are already OpenAI chunks: parse each event, surface in-stream
 * `{"error":…}` events as errors, and require a clean end (`[DONE]` or a finish_reason) so a cut
 * connection is never mistaken for a complete answer.
 */
export function createOpenAiStreamTranslator(providerName: string): StreamTranslator<ChatCompletionChunk> {
  let done = false;
  let finished = false;
  return {
    push(event: SseEvent): ChatCompletionChunk[] {
      if (event.data === '[DONE]') {
        done = true;
        return [];
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        throw badUpstreamJson(providerName, 'a stream event');
      }
      const record = parsed as Record<string, unknown>;
      if (record.error !== undefined && record.error !== null) {
        const error = record.error as { message?: string; code?: string | number; type?: string };
        const status = typeof error.code === 'number' ? error.code : 500;
        throw streamError(providerName, status, error.message ?? 'stream error', typeof error.code === 'string' ? error.code : error.type);
      }
      const chunk = record as unknown as ChatCompletionChunk;
      if (chunk.choices?.some((choice) => choice.finish_reason)) finished = true;
      return [chunk];
    },
    end(): ChatCompletionChunk[] {
      if (!done && !finished) throw upstreamCut(providerName);
      return [];
    },
  };
}
