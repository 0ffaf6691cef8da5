import { invalidRequest } from '../../core/errors';
import type { CanonicalRequest, OutputFormat, Tool, ToolChoice } from '../../core/model/request';
import type { AnthropicTextBlock, AnthropicTool, AnthropicToolChoice } from './wire-types';

/** Name of the structured-output tool for `{type: "json_object"}` output. */
const JSON_OBJECT_TOOL = 'json_object';

/** The tool part of an Anthropic request. */
export interface TranslatedTools {
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  /** Name of the tool that carries the structured output, when the client asked for JSON. */
  jsonTool?: string;
  /** An instruction appended to `system` when the JSON tool cannot be forced. */
  systemNote?: AnthropicTextBlock;
}

/**
 * The name of the structured-output tool for a request, or `undefined` when the client did not
 * ask for JSON. Responses use it to turn that tool's input back into message content.
 */
export function jsonToolName(format: OutputFormat | undefined): string | undefined {
  if (format?.type === 'json_schema') return format.name;
  if (format?.type === 'json_object') return JSON_OBJECT_TOOL;
  return undefined;
}

/**
 * Translates the tools, the tool choice, `parallelToolCalls` and the output format.
 *
 * Structured output uses a forced tool whose `input_schema` is the requested schema, and the
 * tool's input is returned as the message content. Why a tool and not an output instruction:
 * Anthropic constrains tool input to the schema on every Claude model, while an instruction is
 * only a request the model may wrap in prose or code fences; the native `output_format` needs a
 * beta header and works on the newest models only, so an alias switching between Claude models
 * would change behaviour. Forcing works except with extended thinking, where Anthropic allows
 * only `auto`/`none`: there the tool is offered with `auto` and a system note asks for it.
 */
export function translateTools(request: CanonicalRequest, thinking: boolean): TranslatedTools {
  const userTools = request.toolChoice?.type === 'none' && request.output ? [] : request.tools.map((tool, i) => toAnthropicTool(tool, `${request.paramNames.tools}[${i}]`));
  const jsonTool = jsonToolName(request.output);
  if (!jsonTool) {
    if (userTools.length === 0) return {};
    const choice = toolChoice(request.toolChoice, request.parallelToolCalls);
    return choice ? { tools: userTools, tool_choice: choice } : { tools: userTools };
  }
  if (userTools.some((tool) => tool.name === jsonTool)) {
    const param = request.output?.type === 'json_schema' ? `${request.paramNames.output}.json_schema.name` : request.paramNames.output;
    throw invalidRequest(`The ${request.paramNames.output} name '${jsonTool}' is also the name of a tool; rename one of them.`, param);
  }
  const tools = [...userTools, structuredOutputTool(jsonTool, request.output)];
  if (thinking) {
    const systemNote: AnthropicTextBlock = { type: 'text', text: `Give your final answer by calling the \`${jsonTool}\` tool; do not answer in plain text.` };
    return { tools, tool_choice: withParallel({ type: 'auto' }, request.parallelToolCalls), jsonTool, systemNote };
  }
  const named = request.toolChoice?.type === 'tool' ? toolChoice(request.toolChoice, request.parallelToolCalls) : undefined;
  // With the client's own tools the model may still call one of them instead of answering.
  const forced: AnthropicToolChoice = named ?? (userTools.length > 0 ? { type: 'any' } : { type: 'tool', name: jsonTool });
  return { tools, tool_choice: withParallel(forced, request.parallelToolCalls), jsonTool };
}

function toAnthropicTool(tool: Tool, param: string): AnthropicTool {
  if (tool.type !== 'function') throw invalidRequest("Only tools of type 'function' with a name are supported.", param);
  const result: AnthropicTool = { name: tool.name, input_schema: tool.parameters ?? { type: 'object', properties: {} } };
  if (tool.description) result.description = tool.description;
  if (tool.cache) result.cache_control = tool.cache;
  return result;
}

function structuredOutputTool(name: string, format: OutputFormat | undefined): AnthropicTool {
  if (format?.type === 'json_schema') {
    return {
      name,
      description: format.description ?? 'Respond with a JSON object that matches this schema. Its input is your answer.',
      input_schema: format.schema ?? { type: 'object' },
    };
  }
  return { name, description: 'Respond with a JSON object. Its input is your answer.', input_schema: { type: 'object' } };
}

/** `undefined` when the client left the choice to the default (`auto`, parallel calls allowed). */
function toolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): AnthropicToolChoice | undefined {
  if (choice === undefined && parallel !== false) return undefined;
  if (choice?.type === 'none') return { type: 'none' };
  if (choice?.type === 'required') return withParallel({ type: 'any' }, parallel);
  if (choice?.type === 'tool') return withParallel({ type: 'tool', name: choice.name }, parallel);
  return withParallel({ type: 'auto' }, parallel);
}

function withParallel(choice: AnthropicToolChoice, parallel: boolean | undefined): AnthropicToolChoice {
  if (parallel === false && choice.type !== 'none') return { ...choice, disable_parallel_tool_use: true };
  return choice;
}
