import { invalidRequest } from '../../core/errors';
import type { ChatCompletionRequest, ResponseFormat, ToolChoice, ToolDefinition } from '../../core/openai/types';
import type { AnthropicTextBlock, AnthropicTool, AnthropicToolChoice, CacheControl } from './wire-types';

/** Name of the structured-output tool for `response_format: {type: "json_object"}`. */
const JSON_OBJECT_TOOL = 'json_object';

/** The tool part of an Anthropic request. */
export interface TranslatedTools {
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  /** Name of the tool that carries the structured output, when `response_format` asked for JSON. */
  jsonTool?: string;
  /** An instruction appended to `system` when the JSON tool cannot be forced. */
  systemNote?: AnthropicTextBlock;
}

/**
 * The name of the structured-output tool for a request, or `undefined` when the client did not
 * ask for JSON. Responses use it to turn that tool's input back into message content.
 */
export function jsonToolName(format: ResponseFormat | undefined): string | undefined {
  if (format?.type === 'json_schema') return format.json_schema.name;
  if (format?.type === 'json_object') return JSON_OBJECT_TOOL;
  return undefined;
}

/**
 * Translates `tools`, `tool_choice`, `parallel_tool_calls` and `response_format`.
 *
 * Structured output uses a forced tool whose `input_schema` is the requested schema, and the
 * tool's input is returned as the message content. Why a tool and not an output instruction:
 * Anthropic constrains tool input to the schema on every Claude model, while an instruction is
 * only a request the model may wrap in prose or code fences; the native `output_format` needs a
 * beta header and works on the newest models only, so an alias switching between Claude models
 * would change behaviour. Forcing works except with extended thinking, where Anthropic allows
 * only `auto`/`none`: there the tool is offered with `auto` and a system note asks for it.
 */
export function translateTools(request: ChatCompletionRequest, thinking: boolean): TranslatedTools {
  const userTools = request.tool_choice === 'none' && request.response_format ? [] : (request.tools ?? []).map(toAnthropicTool);
  const jsonTool = jsonToolName(request.response_format);
  if (!jsonTool) {
    if (userTools.length === 0) return {};
    const choice = toolChoice(request.tool_choice, request.parallel_tool_calls);
    return choice ? { tools: userTools, tool_choice: choice } : { tools: userTools };
  }
  if (userTools.some((tool) => tool.name === jsonTool)) {
    throw invalidRequest(`The response_format name '${jsonTool}' is also the name of a tool; rename one of them.`, 'response_format.json_schema.name');
  }
  const tools = [...userTools, structuredOutputTool(jsonTool, request.response_format)];
  if (thinking) {
    const systemNote: AnthropicTextBlock = { type: 'text', text: `Give your final answer by calling the \`${jsonTool}\` tool; do not answer in plain text.` };
    return { tools, tool_choice: withParallel({ type: 'auto' }, request.parallel_tool_calls), jsonTool, systemNote };
  }
  const named = typeof request.tool_choice === 'object' ? toolChoice(request.tool_choice, request.parallel_tool_calls) : undefined;
  // With the client's own tools the model may still call one of them instead of answering.
  const forced: AnthropicToolChoice = named ?? (userTools.length > 0 ? { type: 'any' } : { type: 'tool', name: jsonTool });
  return { tools, tool_choice: withParallel(forced, request.parallel_tool_calls), jsonTool };
}

function toAnthropicTool(tool: ToolDefinition, i: number): AnthropicTool {
  if (tool.type !== 'function' || !tool.function?.name) {
    throw invalidRequest("Only tools of type 'function' with a name are supported.", `tools[${i}]`);
  }
  const result: AnthropicTool = {
    name: tool.function.name,
    input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
  };
  if (tool.function.description) result.description = tool.function.description;
  // A non-standard field some clients send (as with LiteLLM) to cache the tool definitions.
  const cache = (tool as { cache_control?: CacheControl }).cache_control;
  if (cache) result.cache_control = cache;
  return result;
}

function structuredOutputTool(name: string, format: ResponseFormat | undefined): AnthropicTool {
  if (format?.type === 'json_schema') {
    return {
      name,
      description: format.json_schema.description ?? 'Respond with a JSON object that matches this schema. Its input is your answer.',
      input_schema: format.json_schema.schema ?? { type: 'object' },
    };
  }
  return { name, description: 'Respond with a JSON object. Its input is your answer.', input_schema: { type: 'object' } };
}

/** `undefined` when the client left the choice to the default (`auto`, parallel calls allowed). */
function toolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): AnthropicToolChoice | undefined {
  if (choice === undefined && parallel !== false) return undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return withParallel({ type: 'any' }, parallel);
  if (typeof choice === 'object') return withParallel({ type: 'tool', name: choice.function.name }, parallel);
  return withParallel({ type: 'auto' }, parallel);
}

function withParallel(choice: AnthropicToolChoice, parallel: boolean | undefined): AnthropicToolChoice {
  if (parallel === false && choice.type !== 'none') return { ...choice, disable_parallel_tool_use: true };
  return choice;
}
