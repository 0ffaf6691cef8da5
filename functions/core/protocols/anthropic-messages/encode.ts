import type { GatewayError } from '../../errors';
import type { AssistantPart, ReasoningState } from '../../model/request';
import type { CanonicalCompletion, CanonicalStreamEvent, CanonicalUsage, FinishReason } from '../../model/response';
import { encodeSseEvent, joinBytes } from '../../streaming/sse-encoder';
import type { StreamEncoder } from '../../streaming/sse-response-body';
import { anthropicErrorBody } from './errors';
import type { MessagesResponse, MessagesUsage, ResponseBlock } from './types';

/** The identity an answer gets where the provider gave none. */
export interface MessageIdentity {
  id: string;
  model: string;
}

const STOP_REASONS: Readonly<Record<FinishReason, MessagesResponse['stop_reason']>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
};

/** Canonical usage as Anthropic's, whose `input_tokens` leaves out cache reads and writes. */
function toMessagesUsage(usage: CanonicalUsage | undefined): MessagesUsage {
  const cacheRead = usage?.cachedInputTokens ?? 0;
  const cacheWrite = usage?.cacheWriteTokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.inputTokens ?? 0) - cacheRead - cacheWrite),
    output_tokens: usage?.outputTokens ?? 0,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
}

/** An id in Anthropic's form: the provider's when it is one, else the gateway's. */
function messageId(id: string | undefined, identity: MessageIdentity): string {
  return id?.startsWith('msg_') ? id : identity.id;
}

function thinkingBlock(text: string, state: ReasoningState | undefined): ResponseBlock {
  if (state?.format === 'anthropic-redacted') return { type: 'redacted_thinking', data: state.data };
  // Reasoning another provider did has no Claude signature; it is shown, and not replayed to Claude.
  return { type: 'thinking', thinking: text, signature: state?.format === 'anthropic' ? state.signature : '' };
}

function parseInput(args: string): unknown {
  try {
    return args.trim() === '' ? {} : (JSON.parse(args) as unknown);
  } catch {
    return {};
  }
}

function block(part: AssistantPart): ResponseBlock {
  if (part.type === 'text') return { type: 'text', text: part.text };
  if (part.type === 'reasoning') return thinkingBlock(part.text, part.state);
  return { type: 'tool_use', id: part.id, name: part.name, input: parseInput(part.arguments) };
}

/** Encodes a canonical completion as an Anthropic `message` (the first answer; Messages has no `n`). */
export function encodeMessage(completion: CanonicalCompletion, identity: MessageIdentity): MessagesResponse {
  return {
    id: messageId(completion.id, identity),
    type: 'message',
    role: 'assistant',
    model: completion.model ?? identity.model,
    content: completion.content.filter((part) => part.type !== 'text' || part.text !== '').map(block),
    stop_reason: STOP_REASONS[completion.finishReason],
    stop_sequence: null,
    usage: toMessagesUsage(completion.usage),
  };
}

/** The kind of content block open in the stream, and its index. */
type OpenBlock = { kind: 'text' | 'thinking'; index: number } | { kind: 'tool'; index: number; tool: number };

/**
 * Writes canonical stream events as Anthropic's event sequence (DESIGN §2): `message_start`;
 * per content block `content_block_start`, its deltas (`text_delta`, `thinking_delta` and
 * `signature_delta`, `input_json_delta`) and `content_block_stop`; at the end `message_delta` with
 * the stop reason and the final usage, then `message_stop`. A failure after the start is
 * `event: error` with Anthropic's error body. Only the first answer is sent (Messages has no `n`).
 */
export class MessagesStreamEncoder implements StreamEncoder<CanonicalStreamEvent> {
  usage: CanonicalUsage | undefined;
  completionChars = 0;
  private started = false;
  private open: OpenBlock | undefined;
  private nextIndex = 0;
  private stopReason: MessagesResponse['stop_reason'] = null;

  constructor(private readonly identity: MessageIdentity) {}

  encode(event: CanonicalStreamEvent): Uint8Array | undefined {
    if ('choice' in event && event.choice !== undefined && event.choice !== 0) return undefined;
    const out: Uint8Array[] = [];
    if (event.type === 'usage') {
      this.usage = event.usage;
      return undefined;
    }
    if (event.type === 'start') {
      this.start(out, event.id, event.model);
      return joinBytes(out);
    }
    this.start(out);
    switch (event.type) {
      case 'text':
        if (event.text === '') break;
        this.completionChars += event.text.length;
        this.openBlock(out, 'text', { type: 'text', text: '' });
        out.push(this.event('content_block_delta', { index: this.open?.index, delta: { type: 'text_delta', text: event.text } }));
        break;
      case 'reasoning':
        this.completionChars += event.text.length;
        this.openBlock(out, 'thinking', { type: 'thinking', thinking: '', signature: '' });
        out.push(this.event('content_block_delta', { index: this.open?.index, delta: { type: 'thinking_delta', thinking: event.text } }));
        break;
      case 'reasoning_state':
        if (event.state.format === 'anthropic-redacted') {
          this.closeBlock(out);
          this.openBlock(out, 'thinking', { type: 'redacted_thinking', data: event.state.data });
        } else if (event.state.format === 'anthropic') {
          if (this.open?.kind !== 'thinking') {
            this.openBlock(out, 'thinking', { type: 'thinking', thinking: '', signature: '' });
            if (event.text) out.push(this.event('content_block_delta', { index: this.open?.index, delta: { type: 'thinking_delta', thinking: event.text } }));
          }
          out.push(this.event('content_block_delta', { index: this.open?.index, delta: { type: 'signature_delta', signature: event.state.signature } }));
        }
        this.closeBlock(out);
        break;
      case 'tool_call_start':
        this.closeBlock(out);
        this.open = { kind: 'tool', index: this.nextIndex++, tool: event.index };
        out.push(this.event('content_block_start', { index: this.open.index, content_block: { type: 'tool_use', id: event.id, name: event.name, input: {} } }));
        break;
      case 'tool_call_delta':
        if (this.open?.kind !== 'tool' || this.open.tool !== event.index || event.arguments === '') break;
        this.completionChars += event.arguments.length;
        out.push(this.event('content_block_delta', { index: this.open.index, delta: { type: 'input_json_delta', partial_json: event.arguments } }));
        break;
      case 'finish':
        this.stopReason = STOP_REASONS[event.reason];
        this.closeBlock(out);
        break;
    }
    return joinBytes(out);
  }

  finish(usage: CanonicalUsage): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.start(out);
    this.closeBlock(out);
    const { input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens } = toMessagesUsage(usage);
    out.push(this.event('message_delta', { delta: { stop_reason: this.stopReason ?? 'end_turn', stop_sequence: null }, usage: { input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens } }));
    out.push(this.event('message_stop', {}));
    return out;
  }

  fail(error: GatewayError): Uint8Array {
    return encodeSseEvent(anthropicErrorBody(error), 'error');
  }

  private start(out: Uint8Array[], id?: string, model?: string): void {
    if (this.started) return;
    this.started = true;
    const message = {
      id: messageId(id, this.identity),
      type: 'message',
      role: 'assistant',
      model: model ?? this.identity.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    };
    out.push(this.event('message_start', { message }));
  }

  private openBlock(out: Uint8Array[], kind: 'text' | 'thinking', contentBlock: Record<string, unknown>): void {
    if (this.open?.kind === kind && contentBlock.type !== 'redacted_thinking') return;
    this.closeBlock(out);
    this.open = { kind, index: this.nextIndex++ };
    out.push(this.event('content_block_start', { index: this.open.index, content_block: contentBlock }));
  }

  private closeBlock(out: Uint8Array[]): void {
    if (!this.open) return;
    out.push(this.event('content_block_stop', { index: this.open.index }));
    this.open = undefined;
  }

  private event(type: string, data: Record<string, unknown>): Uint8Array {
    return encodeSseEvent({ type, ...data }, type);
  }
}
