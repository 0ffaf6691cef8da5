import type { CanonicalStreamEvent, FinishReason } from '../../core/model/response';
import type { SseEvent } from '../../core/streaming/sse-decoder';
import { streamError } from '../error-mapping';
import { badUpstreamJson, upstreamCut } from '../http-provider';
import type { CallContext, StreamTranslator } from '../../core/ports/provider';
import { PartialArgs } from './partial-args';
import { mapFinishReason, toUsage } from './response';
import { toolCallId } from '../shared/ids';
import type { GeminiCandidate, GeminiFunctionCall, GeminiPart, GeminiResponse } from './wire';
import type { GeminiSettings } from './settings';

/** A function call whose arguments are still streaming (`willContinue`). */
interface OpenCall {
  index: number;
  args: PartialArgs;
}

/** What the translator remembers about one answer (candidate). */
interface ChoiceState {
  /** The last finish reason Gemini gave; it repeats `STOP` on every chunk, so only the last counts. */
  finishReason: string | undefined;
  /** Next tool-call `index` in this answer: a running counter from 0. */
  nextToolIndex: number;
  open: OpenCall | undefined;
}

/**
 * Translates Gemini's `streamGenerateContent?alt=sse` events into canonical events.
 *
 * Every event is a whole `GenerateContentResponse` holding only the new parts. Text becomes
 * text, thought parts reasoning, function calls tool calls (arguments streamed with
 * `partialArgs` are collected and sent when the call completes, because Gemini streams them as
 * path/value pieces, not as JSON text). Usage is a running total on every event. Finish reasons
 * are held back and sent once per answer when the upstream closes (Gemini repeats `STOP` on
 * every event). A stream that closes before any finish reason (or prompt block) is an upstream cut.
 */
export class GeminiStreamTranslator implements StreamTranslator {
  private readonly choices = new Map<number, ChoiceState>();
  private toolCount = 0;
  private started = false;
  private blockReason: string | undefined;

  constructor(private readonly ctx: CallContext<GeminiSettings>) {}

  push(event: SseEvent): CanonicalStreamEvent[] {
    const response = this.parse(event.data);
    const out: CanonicalStreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      out.push({ type: 'start' });
    }
    const usage = toUsage(response.usageMetadata);
    if (usage) out.push({ type: 'usage', usage });
    if (response.promptFeedback?.blockReason !== undefined) this.blockReason = response.promptFeedback.blockReason;
    (response.candidates ?? []).forEach((candidate, i) => this.candidateEvents(candidate, candidate.index ?? i, out));
    return out;
  }

  end(): CanonicalStreamEvent[] {
    const out: CanonicalStreamEvent[] = [];
    for (const [choice, state] of this.choices) this.closeOpenCall(state, choice, out);
    // A blocked prompt produces no candidate at all: one empty answer filtered by content policy.
    if (this.choices.size === 0 && this.blockReason !== undefined) this.choices.set(0, newChoice());
    if (this.choices.size === 0) throw upstreamCut(this.ctx.providerName, 'The stream ended without any candidate.');
    for (const [choice, state] of this.choices) out.push({ type: 'finish', reason: this.finalReason(state), choice });
    return out;
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

  private candidateEvents(candidate: GeminiCandidate, choice: number, out: CanonicalStreamEvent[]): void {
    let state = this.choices.get(choice);
    if (!state) {
      state = newChoice();
      this.choices.set(choice, state);
    }
    if (candidate.finishReason !== undefined) state.finishReason = candidate.finishReason;
    for (const part of candidate.content?.parts ?? []) {
      if (part.functionCall) this.functionCall(state, choice, part, part.functionCall, out);
      else if (typeof part.text === 'string' && part.text !== '') out.push({ type: part.thought === true ? 'reasoning' : 'text', text: part.text, ...choiceOf(choice) });
    }
  }

  private functionCall(state: ChoiceState, choice: number, part: GeminiPart, fc: GeminiFunctionCall, out: CanonicalStreamEvent[]): void {
    if (fc.name !== undefined) {
      this.closeOpenCall(state, choice, out);
      const index = state.nextToolIndex++;
      const args = new PartialArgs();
      if (fc.args) args.merge(fc.args);
      if (fc.partialArgs) args.apply(fc.partialArgs);
      const start: CanonicalStreamEvent = { type: 'tool_call_start', index, id: toolCallId(this.ctx.requestId, this.toolCount++), name: fc.name, kind: 'function', ...choiceOf(choice) };
      if (part.thoughtSignature !== undefined) start.thoughtSignature = part.thoughtSignature;
      out.push(start);
      if (fc.willContinue === true) state.open = { index, args };
      else out.push({ type: 'tool_call_delta', index, arguments: args.json(), ...choiceOf(choice) });
      return;
    }
    // A nameless piece continues the open call; without one there is nothing to attach it to.
    const open = state.open;
    if (!open) return;
    if (fc.args) open.args.merge(fc.args);
    if (fc.partialArgs) open.args.apply(fc.partialArgs);
    if (fc.willContinue !== true) this.closeOpenCall(state, choice, out);
  }

  private closeOpenCall(state: ChoiceState, choice: number, out: CanonicalStreamEvent[]): void {
    const open = state.open;
    if (!open) return;
    state.open = undefined;
    out.push({ type: 'tool_call_delta', index: open.index, arguments: open.args.json(), ...choiceOf(choice) });
  }
}

/** The `choice` field of an event: left out for the first answer, as in single-answer streams. */
function choiceOf(choice: number): { choice?: number } {
  return choice === 0 ? {} : { choice };
}

function newChoice(): ChoiceState {
  return { finishReason: undefined, nextToolIndex: 0, open: undefined };
}
