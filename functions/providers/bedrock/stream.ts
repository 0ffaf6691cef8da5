import type { ConverseStreamOutput, ReasoningContentBlockDelta, TokenUsage } from '@aws-sdk/client-bedrock-runtime';
import type { CanonicalStreamEvent } from '../../core/model/response';
import { upstreamCut } from '../http-provider';
import type { CallContext } from '../../core/ports/provider';
import { toCanonicalUsage, toFinishReason } from './usage';
import type { BedrockSettings } from './settings';

/** Per-request translator of ConverseStream events into canonical events (CONVENTIONS 5). */
export interface ConverseStreamTranslator {
  /** Translates one decoded event; returns zero or more events. */
  push(event: ConverseStreamOutput): CanonicalStreamEvent[];
  /** Called once the event stream ends; returns the closing events or throws when it was cut. */
  end(): CanonicalStreamEvent[];
}

/** What the translator remembers about one open toolUse content block. */
interface OpenToolBlock {
  /** Tool-call index, or `undefined` for the structured-output tool (streamed as text). */
  index: number | undefined;
  sawInput: boolean;
}

/**
 * Creates the translator for one ConverseStream response.
 *
 * - one `start`, at `messageStart` (or the first event that has content);
 * - tool calls are numbered by a running counter from 0, never by Converse's `contentBlockIndex`
 *   (which also counts text and reasoning blocks), and a call that streamed no input gets `"{}"`
 *   when its block stops;
 * - the structured-output tool's input is streamed as text;
 * - `reasoningContent` text becomes reasoning; when a reasoning block stops, its text and
 *   signature come whole in a `reasoning_state` event (redacted reasoning at once), for the client
 *   to hand back on the next turn of a tool loop;
 * - the usage and the finish are sent when both the stop reason and the `metadata` usage have
 *   arrived (Bedrock sends them in either order), or at the end of the stream.
 */
export function createConverseStreamTranslator(ctx: CallContext<BedrockSettings>, responseTool: string | undefined): ConverseStreamTranslator {
  const blocks = new Map<number, OpenToolBlock>();
  let nextToolIndex = 0;
  let started = false;
  let stopReason: string | undefined;
  let usage: TokenUsage | undefined;
  let finished = false;

  /** `events`, preceded by the `start` event when nothing was sent yet. */
  const emit = (...events: CanonicalStreamEvent[]): CanonicalStreamEvent[] => {
    if (started) return events;
    started = true;
    return [{ type: 'start' }, ...events];
  };

  const finish = (): CanonicalStreamEvent[] => {
    finished = true;
    const canonical = toCanonicalUsage(usage);
    const finishEvent: CanonicalStreamEvent = { type: 'finish', reason: toFinishReason(stopReason, nextToolIndex > 0) };
    return canonical ? emit({ type: 'usage', usage: canonical }, finishEvent) : emit(finishEvent);
  };

  // Reasoning text and signature per content block, handed over whole when the block stops.
  const reasoning = new Map<number, { text: string; signature: string }>();
  const reasoningDelta = (index: number, delta: ReasoningContentBlockDelta): CanonicalStreamEvent[] => {
    if (delta.redactedContent) return emit({ type: 'reasoning_state', text: '', state: { format: 'anthropic-redacted', data: Buffer.from(delta.redactedContent).toString('base64') } });
    const thought = reasoning.get(index) ?? { text: '', signature: '' };
    reasoning.set(index, thought);
    if (delta.signature) thought.signature += delta.signature;
    if (!delta.text) return [];
    thought.text += delta.text;
    return emit({ type: 'reasoning', text: delta.text });
  };

  const toolDelta = (block: OpenToolBlock, args: string): CanonicalStreamEvent[] =>
    block.index === undefined ? emit({ type: 'text', text: args }) : emit({ type: 'tool_call_delta', index: block.index, arguments: args });

  return {
    push(event) {
      if (finished) return [];
      if (event.messageStart) return emit();
      if (event.contentBlockStart) {
        const toolUse = event.contentBlockStart.start?.toolUse;
        if (!toolUse) return [];
        const isResponse = toolUse.name !== undefined && toolUse.name === responseTool;
        const block: OpenToolBlock = { index: isResponse ? undefined : nextToolIndex++, sawInput: false };
        blocks.set(event.contentBlockStart.contentBlockIndex ?? -1, block);
        if (block.index === undefined) return [];
        return emit({ type: 'tool_call_start', index: block.index, id: toolUse.toolUseId ?? '', name: toolUse.name ?? '', kind: 'function' });
      }
      if (event.contentBlockDelta) {
        const delta = event.contentBlockDelta.delta;
        if (delta?.text) return emit({ type: 'text', text: delta.text });
        if (delta?.reasoningContent) return reasoningDelta(event.contentBlockDelta.contentBlockIndex ?? -1, delta.reasoningContent);
        const input = delta?.toolUse?.input;
        const block = blocks.get(event.contentBlockDelta.contentBlockIndex ?? -1);
        if (!input || !block) return [];
        block.sawInput = true;
        return toolDelta(block, input);
      }
      if (event.contentBlockStop) {
        const key = event.contentBlockStop.contentBlockIndex ?? -1;
        const thought = reasoning.get(key);
        if (thought) {
          reasoning.delete(key);
          return thought.signature ? emit({ type: 'reasoning_state', text: thought.text, state: { format: 'anthropic', signature: thought.signature } }) : [];
        }
        const block = blocks.get(key);
        blocks.delete(key);
        return block && !block.sawInput ? toolDelta(block, '{}') : [];
      }
      if (event.messageStop) {
        stopReason = event.messageStop.stopReason;
        return usage ? finish() : [];
      }
      if (event.metadata) {
        usage = event.metadata.usage;
        return stopReason !== undefined ? finish() : [];
      }
      return [];
    },
    end() {
      if (finished) return [];
      if (stopReason === undefined) throw upstreamCut(ctx.providerName, 'The Bedrock event stream ended before messageStop.');
      return finish();
    },
  };
}
