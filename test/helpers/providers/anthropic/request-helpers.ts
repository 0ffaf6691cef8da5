import type { ChatCompletionRequest } from '../../../../functions/core/protocols/openai-chat/types';
import { buildAnthropicRequest } from '../../../../functions/providers/anthropic/request';
import { makeCall, makeContext } from './call-context';

/** The llama-stack `get_weather` tool (test_tool_calling). */
export const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Get current temperature for a given location.',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string', description: 'City and country e.g. Bogotá, Colombia' } },
      required: ['location'],
      additionalProperties: false,
    },
  },
};

/** The Anthropic body built for `request` with `maxOutputTokens` and provider `settings`. */
export function body(request: Partial<ChatCompletionRequest>, settings = {}, maxOutputTokens = 1000): Record<string, unknown> {
  return buildAnthropicRequest(makeCall(request, { maxOutputTokens }), makeContext(settings)).body as Record<string, unknown>;
}
