import { GatewayError } from '../../core/errors';
import type { AssistantMessage, ChatCompletion, ToolCall } from '../../core/openai/types';
import type { CallContext, ChatCall } from '../../core/ports/provider';
import { toFinishReason } from './finish-reason';
import { jsonToolName } from './tools';
import { toOpenAiUsage } from './usage';
import type { AnthropicMessageResponse, AnthropicThinkingBlock } from './wire-types';
import type { AnthropicSettings } from './settings';

function isMessage(json: unknown): json is AnthropicMessageResponse {
  const value = json as Partial<AnthropicMessageResponse> | null;
  return typeof value === 'object' && value !== null && Array.isArray(value.content) && typeof value.id === 'string';
}

/**
 * Translates a non-streamed Anthropic Message into an OpenAI `chat.completion`.
 *
 * Text blocks are joined into `content` (null when there is none, as OpenAI does for pure tool
 * calls); `tool_use` blocks become `tool_calls` with JSON-string arguments; thinking becomes
 * `reasoning_content`, and the signed thinking blocks are also returned as `thinking_blocks`
 * (LiteLLM's field) so a client that appends the message to its history keeps Anthropic's
 * thinking across a tool loop. The structured-output tool's input becomes the content. Server
 * tool blocks (web search, code execution) have no OpenAI form and are left out.
 */
export function parseAnthropicCompletion(json: unknown, call: ChatCall, ctx: CallContext<AnthropicSettings>): ChatCompletion {
  if (!isMessage(json)) {
    throw new GatewayError({
      status: 502,
      type: 'upstream_error',
      code: 'bad_upstream_response',
      message: `Provider '${ctx.providerName}' returned a response that is not an Anthropic message.`,
      verdict: 'retryable',
      errorClass: 'server_error',
      provider: ctx.providerName,
    });
  }
  const jsonTool = jsonToolName(call.request.response_format);
  let text: string | null = null;
  let structured: string | null = null;
  let reasoning: string | null = null;
  const thinkingBlocks: AnthropicThinkingBlock[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of json.content) {
    if (block.type === 'text' && typeof block.text === 'string') {
      text = (text ?? '') + block.text;
    } else if (block.type === 'thinking' && typeof block.thinking === 'string') {
      reasoning = (reasoning ?? '') + block.thinking;
      thinkingBlocks.push({ type: 'thinking', thinking: block.thinking, signature: String(block.signature ?? '') });
    } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
      thinkingBlocks.push({ type: 'redacted_thinking', data: block.data });
    } else if (block.type === 'tool_use') {
      const input = JSON.stringify(block.input ?? {});
      if (block.name === jsonTool) structured = (structured ?? '') + input;
      else toolCalls.push({ id: String(block.id), type: 'function', function: { name: String(block.name), arguments: input } });
    }
  }
  // With structured output the content must be the JSON alone, without any preamble text.
  const content = structured ?? text;
  const message: AssistantMessage = { role: 'assistant', content, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning !== null) message.reasoning_content = reasoning;
  if (thinkingBlocks.length > 0) message.thinking_blocks = thinkingBlocks;
  return {
    id: json.id,
    object: 'chat.completion',
    created: ctx.nowSeconds(),
    model: json.model ?? call.model,
    choices: [{ index: 0, message, finish_reason: toFinishReason(json.stop_reason, toolCalls.length > 0), logprobs: null }],
    usage: toOpenAiUsage(json.usage),
  };
}
