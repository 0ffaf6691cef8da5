import { GatewayError } from '../../core/errors';
import type { AssistantPart } from '../../core/model/request';
import type { CanonicalCompletion } from '../../core/model/response';
import type { CallContext, ChatCall } from '../../core/ports/provider';
import { toFinishReason } from './finish-reason';
import { jsonToolName } from './tools';
import { fromMessagesUsage } from '../../core/protocols/anthropic-messages/native';
import type { AnthropicMessageResponse } from './wire-types';

function isMessage(json: unknown): json is AnthropicMessageResponse {
  const value = json as Partial<AnthropicMessageResponse> | null;
  return typeof value === 'object' && value !== null && Array.isArray(value.content) && typeof value.id === 'string';
}

/**
 * Translates a non-streamed Anthropic Message into a canonical completion, block by block in
 * order: text, thinking (with its signature, or a redacted block's data, so the client can hand it
 * back and keep Claude's thinking across a tool loop) and tool calls. The structured-output tool's
 * input becomes the text, alone (a preamble is dropped). Server tool blocks (web search, code
 * execution) have no canonical form and are left out.
 */
export function parseAnthropicCompletion(json: unknown, call: ChatCall, ctx: Pick<CallContext, 'providerName'>): CanonicalCompletion {
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
  const jsonTool = jsonToolName(call.request.output);
  const content: AssistantPart[] = [];
  let structured: string | undefined;
  let toolCalls = 0;
  for (const block of json.content) {
    if (block.type === 'text' && typeof block.text === 'string') {
      content.push({ type: 'text', text: block.text });
    } else if (block.type === 'thinking' && typeof block.thinking === 'string') {
      content.push({ type: 'reasoning', text: block.thinking, state: { format: 'anthropic', signature: String(block.signature ?? '') } });
    } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
      content.push({ type: 'reasoning', text: '', state: { format: 'anthropic-redacted', data: block.data } });
    } else if (block.type === 'tool_use') {
      const input = JSON.stringify(block.input ?? {});
      if (block.name === jsonTool) structured = (structured ?? '') + input;
      else {
        toolCalls += 1;
        content.push({ type: 'tool_call', id: String(block.id), name: String(block.name), kind: 'function', arguments: input });
      }
    }
  }
  // With structured output the content must be the JSON alone, without any preamble text.
  const parts = structured === undefined ? content : [...content.filter((part) => part.type !== 'text'), { type: 'text' as const, text: structured }];
  const completion: CanonicalCompletion = { id: json.id, content: parts, finishReason: toFinishReason(json.stop_reason, toolCalls > 0), usage: fromMessagesUsage(json.usage) };
  if (json.model) completion.model = json.model;
  return completion;
}
