import { invalidRequest } from '../../core/errors';

/**
 * The arguments of an OpenAI tool call (a JSON string) as the object every other provider wants.
 * An empty string is `{}` (some clients send it for tools without parameters); anything that is
 * not a JSON object is a 400 naming `param` (`messages[i].tool_calls[j].function.arguments`).
 */
export function parseToolArguments(args: string, param: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw invalidRequest('Tool call arguments must be a JSON object (they are not valid JSON).', param);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidRequest('Tool call arguments must be a JSON object.', param);
  return parsed as Record<string, unknown>;
}
