import type { GatewayError } from '../../errors';
import type { CanonicalUsage } from '../../model/response';
import { encodeSseEvent } from '../../streaming/sse-encoder';
import type { StreamEncoder } from '../../streaming/sse-response-body';
import { ChunkNormalizer, type ChunkDefaults } from './chunk-normalizer';
import { fromChatUsage, toChatUsage } from './encode';
import { openAiErrorBody } from './errors';
import type { ChatCompletionChunk, Usage } from './types';

const SSE_DONE = new TextEncoder().encode('data: [DONE]\n\n');

/**
 * Writes `chat.completion.chunk`s as an OpenAI stream (DESIGN §2): every chunk normalised
 * (identity filled, `finish_reason` present, role once, tool calls numbered from 0), usage taken
 * out of the chunks and, when the client asked for it (`stream_options.include_usage`), sent once
 * as the last chunk; then `data: [DONE]`. A failure after the start is `data: {"error":…}` with
 * no `event:` name, the one form the OpenAI SDKs raise as an APIError (DESIGN §9).
 */
export class ChatStreamEncoder implements StreamEncoder<ChatCompletionChunk> {
  usage: CanonicalUsage | undefined;
  completionChars = 0;
  private readonly normalizer: ChunkNormalizer;
  /** The usage as the upstream reported it, forwarded unchanged when it is the final usage. */
  private reported: Usage | undefined;
  private last: ChunkDefaults;

  constructor(
    defaults: ChunkDefaults,
    private readonly includeUsage: boolean,
  ) {
    this.normalizer = new ChunkNormalizer(defaults);
    this.last = defaults;
  }

  encode(chunk: ChatCompletionChunk): Uint8Array | undefined {
    const { usage, forward } = this.normalizer.normalize(chunk);
    if (usage) {
      this.reported = usage;
      this.usage = fromChatUsage(usage);
    }
    if (!forward) return undefined;
    this.last = { id: chunk.id, created: chunk.created, model: chunk.model };
    for (const choice of chunk.choices) {
      const delta = choice.delta;
      this.completionChars += (delta.content?.length ?? 0) + (delta.reasoning_content?.length ?? 0) + (delta.refusal?.length ?? 0);
      if (delta.tool_calls) for (const call of delta.tool_calls) this.completionChars += call.function?.arguments?.length ?? 0;
    }
    return encodeSseEvent(chunk);
  }

  finish(usage: CanonicalUsage): Uint8Array[] {
    if (!this.includeUsage) return [SSE_DONE];
    const chatUsage = usage === this.usage && this.reported ? this.reported : toChatUsage(usage);
    return [encodeSseEvent(this.normalizer.usageChunk(chatUsage, this.last)), SSE_DONE];
  }

  fail(error: GatewayError): Uint8Array {
    return encodeSseEvent(openAiErrorBody(error));
  }
}
