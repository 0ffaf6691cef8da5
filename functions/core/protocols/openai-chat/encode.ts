import type { ReasoningState } from '../../model/request';
import type { CanonicalCompletion, CanonicalStreamEvent, CanonicalUsage, FinishReason } from '../../model/response';
import type { ChunkDefaults } from './chunk-normalizer';
import type { AssistantMessage, ChatCompletion, ChatCompletionChunk, ChunkDelta, ToolCall, Usage } from './types';

/** The identity a completion or stream gets where the provider gave none (the chunk normaliser's defaults). */
export type ChatIdentity = ChunkDefaults;

/** OpenAI usage (normalised: `prompt_tokens` includes cached tokens) in the canonical form. */
export function fromChatUsage(usage: Usage): CanonicalUsage {
  const canonical: CanonicalUsage = { inputTokens: usage.prompt_tokens ?? 0, outputTokens: usage.completion_tokens ?? 0 };
  const cached = usage.prompt_tokens_details?.cached_tokens;
  const cacheWrite = usage.prompt_tokens_details?.cache_write_tokens;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (typeof cached === 'number') canonical.cachedInputTokens = cached;
  if (typeof cacheWrite === 'number') canonical.cacheWriteTokens = cacheWrite;
  if (typeof reasoning === 'number') canonical.reasoningTokens = reasoning;
  return canonical;
}

/**
 * Canonical usage as OpenAI usage: `prompt_tokens` includes cached tokens (DESIGN §9); the cached,
 * cache-write and reasoning parts are reported in the details where the provider counted them.
 */
export function toChatUsage(usage: CanonicalUsage): Usage {
  const result: Usage = { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens };
  if (usage.cachedInputTokens !== undefined || usage.cacheWriteTokens !== undefined) {
    result.prompt_tokens_details = {};
    if (usage.cachedInputTokens !== undefined) result.prompt_tokens_details.cached_tokens = usage.cachedInputTokens;
    if (usage.cacheWriteTokens !== undefined) result.prompt_tokens_details.cache_write_tokens = usage.cacheWriteTokens;
  }
  if (usage.reasoningTokens !== undefined) result.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  return result;
}

/**
 * Claude's reasoning as the gateway hands it to chat clients in `thinking_blocks` (a
 * non-standard field, as in LiteLLM) beside `reasoning_content`: the text with its signature, or
 * a redacted block's data. A client that sends them back on its assistant message keeps Claude's
 * thinking through a tool loop. Other providers' states have no chat form.
 */
function thinkingBlock(text: string, state: ReasoningState): Record<string, string> | undefined {
  if (state.format === 'anthropic') return { type: 'thinking', thinking: text, signature: state.signature };
  if (state.format === 'anthropic-redacted') return { type: 'redacted_thinking', data: state.data };
  return undefined;
}

/** Gemini's thought signature rides on the tool call as Google's OpenAI-compatible endpoint puts it. */
function signatureExtra(thoughtSignature: string | undefined): { extra_content?: { google: { thought_signature: string } } } {
  return thoughtSignature === undefined ? {} : { extra_content: { google: { thought_signature: thoughtSignature } } };
}

/**
 * Encodes a canonical completion as a `chat.completion`: text joined into `content` (null when
 * there is none, as OpenAI does for pure tool calls), reasoning as `reasoning_content` and, when it
 * carries Claude's state, `thinking_blocks`; function calls as `tool_calls`.
 */
export function encodeChatCompletion(completion: CanonicalCompletion, identity: ChatIdentity): ChatCompletion {
  const answers = [{ content: completion.content, finishReason: completion.finishReason }, ...(completion.alternatives ?? [])];
  const encoded: ChatCompletion = {
    id: completion.id ?? identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: completion.model ?? identity.model,
    choices: answers.map((answer, index) => ({ index, message: encodeMessage(answer.content), finish_reason: answer.finishReason, logprobs: null })),
  };
  if (completion.usage) encoded.usage = toChatUsage(completion.usage);
  return encoded;
}

function encodeMessage(parts: CanonicalCompletion['content']): AssistantMessage {
  let content: string | null = null;
  let reasoning: string | null = null;
  const thinkingBlocks: Array<Record<string, string>> = [];
  const toolCalls: ToolCall[] = [];
  for (const part of parts) {
    if (part.type === 'text') content = (content ?? '') + part.text;
    else if (part.type === 'reasoning') {
      if (part.text !== '' || !part.state) reasoning = (reasoning ?? '') + part.text;
      const block = part.state && thinkingBlock(part.text, part.state);
      if (block) thinkingBlocks.push(block);
    } else {
      toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments }, ...signatureExtra(part.thoughtSignature) });
    }
  }
  const message: AssistantMessage = { role: 'assistant', content, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning !== null) message.reasoning_content = reasoning;
  if (thinkingBlocks.length > 0) message.thinking_blocks = thinkingBlocks;
  return message;
}

/**
 * Encodes canonical stream events as `chat.completion.chunk`s, one chunk per event that carries
 * something for the client: the role on the first chunk; text, reasoning and tool-call deltas as
 * they come (a tool call's `id`, `type` and name on its first delta); a closed Claude thinking
 * block once more whole in `thinking_blocks`; `finish_reason` on each answer's last chunk; and,
 * once the events are over, the last usage in a `choices: []` chunk, as OpenAI streams it.
 */
export class ChatChunkEncoder {
  private id: string;
  private model: string;
  private started = false;
  private usage: Usage | undefined;

  constructor(private readonly identity: ChatIdentity) {
    this.id = identity.id;
    this.model = identity.model;
  }

  /** The chunks for one event (none for an event with nothing for the client yet). */
  encode(event: CanonicalStreamEvent): ChatCompletionChunk[] {
    const out: ChatCompletionChunk[] = [];
    if (event.type === 'start') {
      if (!this.started) {
        this.id = event.id ?? this.id;
        this.model = event.model ?? this.model;
      }
      this.ensureStarted(out);
      return out;
    }
    if (event.type === 'usage') {
      this.usage = toChatUsage(event.usage);
      return out;
    }
    this.ensureStarted(out);
    switch (event.type) {
      case 'text':
        out.push(this.chunk({ content: event.text }, null, event.choice));
        break;
      case 'reasoning':
        out.push(this.chunk({ reasoning_content: event.text }, null, event.choice));
        break;
      case 'reasoning_state': {
        const block = thinkingBlock(event.text, event.state);
        if (block) out.push(this.chunk({ thinking_blocks: [block] }, null, event.choice));
        break;
      }
      case 'tool_call_start':
        out.push(this.chunk({ tool_calls: [{ index: event.index, id: event.id, type: 'function', function: { name: event.name, arguments: '' }, ...signatureExtra(event.thoughtSignature) }] }, null, event.choice));
        break;
      case 'tool_call_delta':
        out.push(this.chunk({ tool_calls: [{ index: event.index, function: { arguments: event.arguments } }] }, null, event.choice));
        break;
      case 'finish':
        out.push(this.chunk({}, event.reason, event.choice));
        break;
    }
    return out;
  }

  /** The closing usage chunk, once the events are over (none when the provider reported no usage). */
  end(): ChatCompletionChunk[] {
    return this.usage ? [{ id: this.id, object: 'chat.completion.chunk', created: this.identity.created, model: this.model, choices: [], usage: this.usage }] : [];
  }

  private ensureStarted(out: ChatCompletionChunk[]): void {
    if (this.started) return;
    this.started = true;
    out.push(this.chunk({ role: 'assistant', content: '', refusal: null }));
  }

  private chunk(delta: ChunkDelta, finishReason: FinishReason | null = null, choice = 0): ChatCompletionChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: this.identity.created, model: this.model, choices: [{ index: choice, delta, finish_reason: finishReason, logprobs: null }] };
  }
}

/** A canonical event stream as chat chunks (see {@link ChatChunkEncoder}). */
export async function* encodeChatChunks(events: AsyncIterable<CanonicalStreamEvent>, identity: ChatIdentity): AsyncGenerator<ChatCompletionChunk> {
  const encoder = new ChatChunkEncoder(identity);
  for await (const event of events) yield* encoder.encode(event);
  yield* encoder.end();
}
