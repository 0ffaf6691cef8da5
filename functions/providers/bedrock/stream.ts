import type { ConverseStreamOutput, ReasoningContentBlockDelta, TokenUsage } from '@aws-sdk/client-bedrock-runtime';
import type { ChatCompletionChunk, ChunkDelta, FinishReason } from '../../core/openai/types';
import { upstreamCut } from '../http-provider';
import type { CallContext, ChatCall } from '../../core/ports/provider';
import { toFinishReason, toOpenAiUsage } from './usage';
import type { BedrockSettings } from './settings';
import { completionId } from '../shared/ids';

/** Per-request translator of ConverseStream events into OpenAI chunks (CONVENTIONS 5). */
export interface ConverseStreamTranslator {
  /** Translates one decoded event; returns zero or more chunks. */
  push(event: ConverseStreamOutput): ChatCompletionChunk[];
  /** Called once the event stream ends; returns the closing chunk or throws when it was cut. */
  end(): ChatCompletionChunk[];
}

/** What the translator remembers about one open toolUse content block. */
interface OpenToolBlock {
  /** OpenAI tool-call index, or `undefined` for the `response_format` tool (streamed as content). */
  index: number | undefined;
  sawInput: boolean;
}

/**
 * Creates the translator for one ConverseStream response.
 *
 * - the first chunk alone carries `role: 'assistant'`;
 * - tool calls are numbered by a running counter from 0, never by Converse's `contentBlockIndex`
 *   (which also counts text and reasoning blocks); id, type and name go on a call's first delta,
 *   and a call that streamed no input gets `"{}"` when its block stops;
 * - the `response_format` tool's input is streamed as `content`;
 * - `reasoningContent` text becomes `reasoning_content`; when a reasoning block stops, its text and
 *   signature come whole in `thinking_blocks` (redacted reasoning at once), for the client to send
 *   back on the next turn of a tool loop;
 * - the finishing chunk carries the stop reason and the `metadata` usage; it is sent when both
 *   have arrived (Bedrock sends them in either order), or at the end of the stream.
 */
export function createConverseStreamTranslator(call: ChatCall, ctx: CallContext<BedrockSettings>, responseTool: string | undefined): ConverseStreamTranslator {
  const id = completionId(ctx.requestId);
  const created = ctx.nowSeconds();
  const blocks = new Map<number, OpenToolBlock>();
  let nextToolIndex = 0;
  let sentRole = false;
  let stopReason: string | undefined;
  let usage: TokenUsage | undefined;
  let finished = false;

  const chunk = (delta: ChunkDelta, finishReason: FinishReason | null = null): ChatCompletionChunk => {
    if (!sentRole) {
      sentRole = true;
      delta = { role: 'assistant', ...delta };
    }
    return { id, object: 'chat.completion.chunk', created, model: call.model, choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }] };
  };

  const finish = (): ChatCompletionChunk[] => {
    finished = true;
    const last = chunk({}, toFinishReason(stopReason, nextToolIndex > 0));
    const openAiUsage = toOpenAiUsage(usage);
    if (openAiUsage) last.usage = openAiUsage;
    return [last];
  };

  // Reasoning text and signature per content block, handed over whole when the block stops.
  const reasoning = new Map<number, { text: string; signature: string }>();
  const reasoningDelta = (index: number, delta: ReasoningContentBlockDelta): ChatCompletionChunk[] => {
    if (delta.redactedContent) return [chunk({ thinking_blocks: [{ type: 'redacted_thinking', data: Buffer.from(delta.redactedContent).toString('base64') }] })];
    const thought = reasoning.get(index) ?? { text: '', signature: '' };
    reasoning.set(index, thought);
    if (delta.signature) thought.signature += delta.signature;
    if (!delta.text) return [];
    thought.text += delta.text;
    return [chunk({ reasoning_content: delta.text })];
  };

  const toolDelta = (block: OpenToolBlock, args: string): ChatCompletionChunk =>
    block.index === undefined ? chunk({ content: args }) : chunk({ tool_calls: [{ index: block.index, function: { arguments: args } }] });

  return {
    push(event) {
      if (finished) return [];
      if (event.messageStart) return sentRole ? [] : [chunk({ content: '' })];
      if (event.contentBlockStart) {
        const toolUse = event.contentBlockStart.start?.toolUse;
        if (!toolUse) return [];
        const isResponse = toolUse.name !== undefined && toolUse.name === responseTool;
        const block: OpenToolBlock = { index: isResponse ? undefined : nextToolIndex++, sawInput: false };
        blocks.set(event.contentBlockStart.contentBlockIndex ?? -1, block);
        if (block.index === undefined) return [];
        return [chunk({ tool_calls: [{ index: block.index, id: toolUse.toolUseId ?? '', type: 'function', function: { name: toolUse.name ?? '', arguments: '' } }] })];
      }
      if (event.contentBlockDelta) {
        const delta = event.contentBlockDelta.delta;
        if (delta?.text) return [chunk({ content: delta.text })];
        if (delta?.reasoningContent) return reasoningDelta(event.contentBlockDelta.contentBlockIndex ?? -1, delta.reasoningContent);
        const input = delta?.toolUse?.input;
        const block = blocks.get(event.contentBlockDelta.contentBlockIndex ?? -1);
        if (!input || !block) return [];
        block.sawInput = true;
        return [toolDelta(block, input)];
      }
      if (event.contentBlockStop) {
        const key = event.contentBlockStop.contentBlockIndex ?? -1;
        const thought = reasoning.get(key);
        if (thought) {
          reasoning.delete(key);
          return thought.signature ? [chunk({ thinking_blocks: [{ type: 'thinking', thinking: thought.text, signature: thought.signature }] })] : [];
        }
        const block = blocks.get(key);
        blocks.delete(key);
        return block && !block.sawInput ? [toolDelta(block, '{}')] : [];
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
