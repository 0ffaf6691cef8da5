import type { ConverseResponse } from '@aws-sdk/client-bedrock-runtime';
import type { AssistantMessage, ChatCompletion, ToolCall } from '../../core/openai/types';
import type { CallContext, ChatCall } from '../../core/ports/provider';
import { toFinishReason, toOpenAiUsage } from './usage';
import type { BedrockSettings } from './settings';
import { completionId } from '../shared/ids';
import type { ThinkingBlock } from '../shared/thinking-blocks';

/**
 * Translates a Converse response into an OpenAI chat completion: text blocks become `content`,
 * toolUse blocks `tool_calls` (the `response_format` tool becomes `content` instead), reasoning
 * text `reasoning_content` (and, signed or redacted, `thinking_blocks`); stop reason and usage are
 * normalised.
 */
export function parseConverseResponse(response: ConverseResponse, call: ChatCall, ctx: CallContext<BedrockSettings>, responseTool: string | undefined): ChatCompletion {
  let text = '';
  let sawText = false;
  let reasoning = '';
  const thinkingBlocks: ThinkingBlock[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of response.output?.message?.content ?? []) {
    if (block.text !== undefined) {
      text += block.text;
      sawText = true;
    } else if (block.toolUse) {
      const args = JSON.stringify(block.toolUse.input ?? {});
      if (block.toolUse.name === responseTool) {
        text += args;
        sawText = true;
      } else {
        toolCalls.push({ id: block.toolUse.toolUseId ?? '', type: 'function', function: { name: block.toolUse.name ?? '', arguments: args } });
      }
    } else if (block.reasoningContent?.reasoningText) {
      const { text: thinking = '', signature } = block.reasoningContent.reasoningText;
      reasoning += thinking;
      if (signature) thinkingBlocks.push({ type: 'thinking', thinking, signature });
    } else if (block.reasoningContent?.redactedContent) {
      thinkingBlocks.push({ type: 'redacted_thinking', data: Buffer.from(block.reasoningContent.redactedContent).toString('base64') });
    }
  }
  const message: AssistantMessage = { role: 'assistant', content: sawText ? text : null, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning !== '') message.reasoning_content = reasoning;
  // Claude's signed reasoning, for the client to send back on the next turn of a tool loop.
  if (thinkingBlocks.length > 0) message.thinking_blocks = thinkingBlocks;
  const completion: ChatCompletion = {
    id: completionId(ctx.requestId),
    object: 'chat.completion',
    created: ctx.nowSeconds(),
    model: call.model,
    choices: [{ index: 0, message, finish_reason: toFinishReason(response.stopReason, toolCalls.length > 0), logprobs: null }],
  };
  const usage = toOpenAiUsage(response.usage);
  if (usage) completion.usage = usage;
  return completion;
}
