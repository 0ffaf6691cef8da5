import type { CanonicalStreamEvent } from '../../core/model/response';
import type { SseEvent } from '../../core/streaming/sse-decoder';
import { badUpstreamJson, upstreamCut } from '../http-provider';
import type { CallContext, ChatCall, StreamTranslator } from '../../core/ports/provider';
import { anthropicStreamError } from './errors';
import { toFinishReason } from './finish-reason';
import { jsonToolName } from './tools';
import { fromMessagesUsage, mergeMessagesUsage, type MessagesWireUsage } from '../../core/protocols/anthropic-messages/native';
import { toolCallId } from '../shared/ids';

/**
 * What a content block becomes in canonical events: text, reasoning (its text and signature kept
 * to hand back as a whole thinking block), a function tool call (with its canonical `index`), the
 * structured-output JSON (streamed as text), or nothing (server tool blocks, their results and
 * block types added after this code was written).
 */
type BlockState =
  | { kind: 'text' | 'ignored' }
  | { kind: 'thinking'; thinking: string; signature: string }
  | { kind: 'tool'; index: number; hasArguments: boolean }
  | { kind: 'json'; hasArguments: boolean };

interface StreamEvent {
  type?: string;
  index?: number;
  message?: { id?: string; model?: string; usage?: MessagesWireUsage };
  content_block?: { type?: string; id?: string; name?: string; text?: string; thinking?: string; signature?: string; data?: string; input?: unknown };
  delta?: { type?: string; text?: string; thinking?: string; signature?: string; partial_json?: string; stop_reason?: string | null };
  usage?: MessagesWireUsage;
}

/**
 * Translates one Anthropic Messages SSE stream into canonical events (issue 3 §4).
 *
 * - one `start`; a repeated `message_start` is ignored;
 * - tool-call `index` counts function tool calls from 0, never Anthropic's block index (which
 *   also counts text, thinking and server tool blocks), and a call whose input stayed empty gets
 *   arguments `"{}"`;
 * - thinking streams as `reasoning` deltas; when a thinking block ends, a `reasoning_state` event
 *   carries it whole (text and signature, or a `redacted_thinking` block's data), so a client
 *   can hand it back and keep Claude's thinking through a tool loop (Anthropic requires the
 *   signed blocks);
 * - the usage and the finish come once, at `message_stop`: usage fields of `message_delta`
 *   (final, cumulative) override those of `message_start`;
 * - `event: error` throws a classified GatewayError; a stream that ends without `message_stop`
 *   throws `upstream_cut`, so a cut is never mistaken for a complete answer.
 */
export class AnthropicStreamTranslator implements StreamTranslator {
  private readonly jsonTool: string | undefined;
  private readonly blocks = new Map<number, BlockState>();
  private started = false;
  private finished = false;
  private toolCalls = 0;
  private startUsage: MessagesWireUsage | undefined;
  private finalUsage: MessagesWireUsage | undefined;
  private stopReason: string | null | undefined;
  /**
   * Text held back in structured-output mode: the content must be the JSON alone, so a preamble
   * before the JSON tool is dropped. Anthropic writes no preamble when the tool is forced, so
   * this only holds text when thinking prevents forcing it.
   */
  private heldText = '';

  constructor(
    call: ChatCall,
    private readonly ctx: Pick<CallContext, 'providerName' | 'requestId'>,
  ) {
    this.jsonTool = jsonToolName(call.request.output);
  }

  push(event: SseEvent): CanonicalStreamEvent[] {
    if (this.finished) return [];
    if (event.event === 'error') throw anthropicStreamError(event.data, this.ctx.providerName);
    const data = this.parse(event.data);
    const out: CanonicalStreamEvent[] = [];
    switch (data.type) {
      case 'message_start':
        if (!this.started) {
          this.startUsage = data.message?.usage;
          this.started = true;
          out.push({ type: 'start', id: data.message?.id, model: data.message?.model });
        }
        break;
      case 'content_block_start':
        this.ensureStarted(out);
        this.startBlock(data, out);
        break;
      case 'content_block_delta':
        this.ensureStarted(out);
        this.blockDelta(data, out);
        break;
      case 'content_block_stop':
        this.stopBlock(data.index ?? -1, out);
        break;
      case 'message_delta':
        if (data.delta?.stop_reason !== undefined) this.stopReason = data.delta.stop_reason;
        this.finalUsage = mergeMessagesUsage(this.finalUsage, data.usage);
        break;
      case 'message_stop':
        this.ensureStarted(out);
        this.finish(out);
        break;
      case 'error':
        throw anthropicStreamError(event.data, this.ctx.providerName);
      default:
        // ping and event types added to the API later carry nothing for the client.
        break;
    }
    return out;
  }

  end(): CanonicalStreamEvent[] {
    if (!this.finished) throw upstreamCut(this.ctx.providerName, 'The Anthropic stream ended before message_stop.');
    return [];
  }

  private parse(data: string): StreamEvent {
    try {
      const parsed = JSON.parse(data) as unknown;
      if (typeof parsed === 'object' && parsed !== null) return parsed as StreamEvent;
    } catch {
      // fall through to the error below
    }
    throw badUpstreamJson(this.ctx.providerName, 'a stream event');
  }

  private ensureStarted(out: CanonicalStreamEvent[]): void {
    if (this.started) return;
    this.started = true;
    out.push({ type: 'start' });
  }

  private startBlock(data: StreamEvent, out: CanonicalStreamEvent[]): void {
    const block = data.content_block ?? {};
    const index = data.index ?? -1;
    if (block.type === 'text') {
      this.blocks.set(index, { kind: 'text' });
      if (block.text) this.text(block.text, out);
    } else if (block.type === 'thinking') {
      this.blocks.set(index, { kind: 'thinking', thinking: block.thinking ?? '', signature: block.signature ?? '' });
      if (block.thinking) out.push({ type: 'reasoning', text: block.thinking });
    } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
      // Encrypted thinking: nothing to show, but it must go back to Anthropic on the next turn.
      this.blocks.set(index, { kind: 'ignored' });
      out.push({ type: 'reasoning_state', text: '', state: { format: 'anthropic-redacted', data: block.data } });
    } else if (block.type === 'tool_use' && block.name === this.jsonTool) {
      this.heldText = '';
      const input = nonEmptyInput(block.input);
      this.blocks.set(index, { kind: 'json', hasArguments: input !== undefined });
      if (input !== undefined) out.push({ type: 'text', text: input });
    } else if (block.type === 'tool_use') {
      const input = nonEmptyInput(block.input);
      const state = { kind: 'tool' as const, index: this.toolCalls++, hasArguments: input !== undefined };
      this.blocks.set(index, state);
      out.push({ type: 'tool_call_start', index: state.index, id: block.id ?? toolCallId(this.ctx.requestId, state.index), name: block.name ?? '', kind: 'function' });
      if (input !== undefined) out.push({ type: 'tool_call_delta', index: state.index, arguments: input });
    } else {
      this.blocks.set(index, { kind: 'ignored' });
    }
  }

  private blockDelta(data: StreamEvent, out: CanonicalStreamEvent[]): void {
    const state = this.blocks.get(data.index ?? -1);
    const delta = data.delta ?? {};
    if (!state) return;
    if (state.kind === 'text' && delta.type === 'text_delta' && delta.text) {
      this.text(delta.text, out);
    } else if (state.kind === 'thinking' && delta.type === 'thinking_delta' && delta.thinking) {
      state.thinking += delta.thinking;
      out.push({ type: 'reasoning', text: delta.thinking });
    } else if (state.kind === 'thinking' && delta.type === 'signature_delta' && delta.signature) {
      state.signature += delta.signature;
    } else if ((state.kind === 'tool' || state.kind === 'json') && delta.type === 'input_json_delta' && delta.partial_json) {
      state.hasArguments = true;
      out.push(this.arguments(state, delta.partial_json));
    }
  }

  private stopBlock(index: number, out: CanonicalStreamEvent[]): void {
    const state = this.blocks.get(index);
    if (state?.kind === 'thinking' && state.signature) {
      out.push({ type: 'reasoning_state', text: state.thinking, state: { format: 'anthropic', signature: state.signature } });
    }
    if ((state?.kind === 'tool' || state?.kind === 'json') && !state.hasArguments) {
      state.hasArguments = true;
      out.push(this.arguments(state, '{}'));
    }
  }

  private arguments(state: Extract<BlockState, { hasArguments: boolean }>, text: string): CanonicalStreamEvent {
    if (state.kind === 'json') return { type: 'text', text };
    return { type: 'tool_call_delta', index: state.index, arguments: text };
  }

  private text(text: string, out: CanonicalStreamEvent[]): void {
    if (this.jsonTool) this.heldText += text;
    else out.push({ type: 'text', text });
  }

  private finish(out: CanonicalStreamEvent[]): void {
    this.finished = true;
    if (this.heldText) out.push({ type: 'text', text: this.heldText });
    out.push({ type: 'usage', usage: fromMessagesUsage(mergeMessagesUsage(this.startUsage, this.finalUsage)) });
    out.push({ type: 'finish', reason: toFinishReason(this.stopReason, this.toolCalls > 0) });
  }
}

/** Tool input already present on `content_block_start` (Anthropic sends `{}` and streams the rest). */
function nonEmptyInput(input: unknown): string | undefined {
  if (input === null || typeof input !== 'object' || Object.keys(input).length === 0) return undefined;
  return JSON.stringify(input);
}
