import type { ChatCompletionChunk, ChunkDelta, FinishReason, ToolCallDelta, Usage } from '../../core/openai/types';
import type { SseEvent } from '../../core/streaming/sse-decoder';
import { streamError } from '../error-mapping';
import { badUpstreamJson, upstreamCut } from '../http-provider';
import type { CallContext, ChatCall, StreamTranslator } from '../../core/ports/provider';
import { PartialArgs } from './partial-args';
import { mapFinishReason, signatureExtra, toUsage } from './response';
import { completionId, toolCallId } from '../shared/ids';
import type { GeminiCandidate, GeminiFunctionCall, GeminiPart, GeminiResponse } from './wire';
import type { GeminiSettings } from './settings';

/** A function call whose arguments are still streaming (`willContinue`). */
interface OpenCall {
  index: number;
  args: PartialArgs;
}

/** What the translator remembers about one choice. */
interface ChoiceState {
  /** Whether a chunk for this choice was sent (the first one carries the role). */
  started: boolean;
  /** The last finish reason Gemini gave; it repeats `STOP` on every chunk, so only the last counts. */
  finishReason: string | undefined;
  /** Next OpenAI tool-call `index` in this choice: a running counter from 0. */
  nextToolIndex: number;
  open: OpenCall | undefined;
}

/**
 * Translates Gemini's `streamGenerateContent?alt=sse` events into OpenAI chunks.
 *
 * Every event is a whole `GenerateContentResponse` holding only the new parts. Text becomes
 * `content`, thought parts `reasoning_content`, function calls tool-call deltas (id, type and name
 * on the first delta; arguments streamed with `partialArgs` are collected and sent when the call
 * completes, because Gemini streams them as path/value pieces, not as JSON text). Finish reasons
 * and usage (a running total on every event) are held back and sent once when the upstream closes:
 * one chunk with each choice's `finish_reason`, then a `choices: []` chunk with the last usage.
 * A stream that closes before any finish reason (or prompt block) is an upstream cut.
 */
export class GeminiStreamTranslator implements StreamTranslator {
  private readonly id: string;
  private readonly created: number;
  private readonly choices = new Map<number, ChoiceState>();
  private toolCount = 0;
  private usage: Usage | undefined;
  private blockReason: string | undefined;

  constructor(
    private readonly call: ChatCall,
    private readonly ctx: CallContext<GeminiSettings>,
  ) {
    this.id = completionId(ctx.requestId);
    this.created = ctx.nowSeconds();
  }

  push(event: SseEvent): ChatCompletionChunk[] {
    const response = this.parse(event.data);
    const usage = toUsage(response.usageMetadata);
    if (usage) this.usage = usage;
    if (response.promptFeedback?.blockReason !== undefined) this.blockReason = response.promptFeedback.blockReason;
    const chunks: ChatCompletionChunk[] = [];
    (response.candidates ?? []).forEach((candidate, i) => {
      const chunk = this.candidateChunk(candidate, candidate.index ?? i);
      if (chunk) chunks.push(chunk);
    });
    return chunks;
  }

  end(): ChatCompletionChunk[] {
    const chunks: ChatCompletionChunk[] = [];
    for (const [index, state] of this.choices) {
      const closing = this.closeOpenCall(state);
      if (closing) chunks.push(this.chunk(index, state, { tool_calls: [closing] }));
    }
    // A blocked prompt produces no candidate at all: one empty choice filtered by content policy.
    if (this.choices.size === 0 && this.blockReason !== undefined) this.choices.set(0, newChoice());
    const finals = [...this.choices].map(([index, state]) => ({
      index,
      delta: state.started ? {} : { role: 'assistant' as const, content: '' },
      finish_reason: this.finalReason(state),
      logprobs: null,
    }));
    if (finals.length === 0) throw upstreamCut(this.ctx.providerName, 'The stream ended without any candidate.');
    chunks.push({ ...this.envelope(), choices: finals });
    if (this.usage) chunks.push({ ...this.envelope(), choices: [], usage: this.usage });
    return chunks;
  }

  private finalReason(state: ChoiceState): FinishReason {
    if (state.finishReason !== undefined) return mapFinishReason(state.finishReason, state.nextToolIndex > 0);
    if (this.blockReason !== undefined) return 'content_filter';
    throw upstreamCut(this.ctx.providerName, 'The stream ended without a finish reason.');
  }

  private parse(data: string): GeminiResponse {
    let json: unknown;
    try {
      json = JSON.parse(data) as unknown;
    } catch {
      throw badUpstreamJson(this.ctx.providerName, 'a stream event');
    }
    const error = (json as { error?: { code?: number; message?: string; status?: string } }).error;
    if (error) throw streamError(this.ctx.providerName, error.code ?? 500, error.message ?? 'Stream error.', error.status);
    return json as GeminiResponse;
  }

  private candidateChunk(candidate: GeminiCandidate, index: number): ChatCompletionChunk | undefined {
    let state = this.choices.get(index);
    if (!state) {
      state = newChoice();
      this.choices.set(index, state);
    }
    if (candidate.finishReason !== undefined) state.finishReason = candidate.finishReason;
    const delta: ChunkDelta = {};
    const toolCalls: ToolCallDelta[] = [];
    for (const part of candidate.content?.parts ?? []) {
      if (part.functionCall) this.functionCall(state, part, part.functionCall, toolCalls);
      else if (typeof part.text === 'string' && part.text !== '') {
        if (part.thought === true) delta.reasoning_content = (delta.reasoning_content ?? '') + part.text;
        else delta.content = (delta.content ?? '') + part.text;
      }
    }
    if (toolCalls.length > 0) delta.tool_calls = toolCalls;
    if (Object.keys(delta).length === 0) return undefined;
    return this.chunk(index, state, delta);
  }

  private functionCall(state: ChoiceState, part: GeminiPart, fc: GeminiFunctionCall, out: ToolCallDelta[]): void {
    if (fc.name !== undefined) {
      const closing = this.closeOpenCall(state);
      if (closing) out.push(closing);
      const index = state.nextToolIndex++;
      const args = new PartialArgs();
      if (fc.args) args.merge(fc.args);
      if (fc.partialArgs) args.apply(fc.partialArgs);
      const streaming = fc.willContinue === true;
      out.push({
        index,
        id: toolCallId(this.ctx.requestId, this.toolCount++),
        type: 'function',
        function: { name: fc.name, arguments: streaming ? '' : args.json() },
        ...signatureExtra(part),
      });
      if (streaming) state.open = { index, args };
      return;
    }
    // A nameless piece continues the open call; without one there is nothing to attach it to.
    const open = state.open;
    if (!open) return;
    if (fc.args) open.args.merge(fc.args);
    if (fc.partialArgs) open.args.apply(fc.partialArgs);
    if (fc.willContinue !== true) {
      const closing = this.closeOpenCall(state);
      if (closing) out.push(closing);
    }
  }

  private closeOpenCall(state: ChoiceState): ToolCallDelta | undefined {
    const open = state.open;
    if (!open) return undefined;
    state.open = undefined;
    return { index: open.index, function: { arguments: open.args.json() } };
  }

  private chunk(index: number, state: ChoiceState, delta: ChunkDelta): ChatCompletionChunk {
    const full: ChunkDelta = state.started ? delta : { role: 'assistant', ...delta };
    state.started = true;
    return { ...this.envelope(), choices: [{ index, delta: full, finish_reason: null, logprobs: null }] };
  }

  private envelope(): Pick<ChatCompletionChunk, 'id' | 'object' | 'created' | 'model'> {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.call.model };
  }
}

function newChoice(): ChoiceState {
  return { started: false, finishReason: undefined, nextToolIndex: 0, open: undefined };
}
