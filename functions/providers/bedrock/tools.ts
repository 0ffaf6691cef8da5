import type { Tool, ToolChoice, ToolConfiguration } from '@aws-sdk/client-bedrock-runtime';
import type { DocumentType } from '@smithy/types';
import { invalidRequest } from '../../core/errors';
import type { ChatCompletionRequest, ToolDefinition } from '../../core/openai/types';

/** The tool part of a Converse request. */
export interface ToolTranslation {
  toolConfig: ToolConfiguration | undefined;
  /**
   * Name of the tool that carries a `response_format` answer: its input is the JSON reply, so the
   * response and stream translators turn it back into message content instead of a tool call.
   */
  responseTool: string | undefined;
}

/** What {@link translateTools} needs besides the request. */
export interface ToolOptions {
  /** Whether the conversation already holds toolUse/toolResult blocks (Converse then requires a toolConfig). */
  historyHasTools: boolean;
  dropUnsupportedParams: boolean;
}

const EMPTY_OBJECT_SCHEMA = { type: 'object', properties: {} };

/**
 * Translates `tools`, `tool_choice` and `response_format` into a Converse `toolConfig`.
 *
 * - tools → `toolSpec {name, description, inputSchema: {json}}`;
 * - `tool_choice`: auto (or absent) → Converse's default, required → `any`, named → `tool`,
 *   none → no tools at all (Converse has no "none");
 * - `response_format` json_schema/json_object → one more tool whose input schema is the response
 *   schema, forced when the client has no tools of its own, and `any` when it has (the model
 *   then either calls the client's tools or answers through the response tool). Converse's native
 *   `outputConfig` only works on a few recent models; a forced tool works on every model with
 *   tool use.
 */
export function translateTools(request: ChatCompletionRequest, options: ToolOptions): ToolTranslation {
  const choice = request.tool_choice;
  let clientTools = request.tools ?? [];
  if (choice === 'none' && clientTools.length > 0) {
    if (options.historyHasTools && !options.dropUnsupportedParams) {
      throw invalidRequest("Bedrock cannot forbid tool calls (tool_choice 'none') in a conversation that already contains tool calls.", 'tool_choice');
    }
    if (!options.historyHasTools) clientTools = [];
  }
  const response = responseToolSpec(request, clientTools);
  const tools: Tool[] = clientTools.map(toolSpec);
  if (response) tools.push({ toolSpec: response });
  if (tools.length === 0) {
    if (choice === 'required' || typeof choice === 'object') throw invalidRequest('tool_choice requires tools.', 'tool_choice');
    return { toolConfig: undefined, responseTool: undefined };
  }
  const toolChoice = converseToolChoice(request, clientTools, response?.name);
  return { toolConfig: toolChoice ? { tools, toolChoice } : { tools }, responseTool: response?.name };
}

function toolSpec(tool: ToolDefinition, index: number): Tool {
  if (tool.type !== 'function' || !tool.function?.name) throw invalidRequest("Only tools of type 'function' with a name are supported.", `tools[${index}]`);
  const { name, description, parameters } = tool.function;
  return { toolSpec: { name, ...(description ? { description } : {}), inputSchema: { json: (parameters ?? EMPTY_OBJECT_SCHEMA) as DocumentType } } };
}

function converseToolChoice(request: ChatCompletionRequest, clientTools: readonly ToolDefinition[], responseTool: string | undefined): ToolChoice | undefined {
  const choice = request.tool_choice;
  if (typeof choice === 'object') {
    if (!clientTools.some((tool) => tool.function.name === choice.function.name)) {
      throw invalidRequest(`tool_choice names '${choice.function.name}', which is not in tools.`, 'tool_choice');
    }
    return { tool: { name: choice.function.name } };
  }
  if (choice === 'required' && clientTools.length > 0) return { any: {} };
  if (responseTool) return clientTools.length > 0 ? { any: {} } : { tool: { name: responseTool } };
  return undefined;
}

function responseToolSpec(request: ChatCompletionRequest, clientTools: readonly ToolDefinition[]): { name: string; description: string; inputSchema: { json: DocumentType } } | undefined {
  const format = request.response_format;
  if (!format || format.type === 'text') return undefined;
  const spec =
    format.type === 'json_schema'
      ? { name: format.json_schema.name, description: format.json_schema.description, schema: format.json_schema.schema }
      : format.type === 'json_object'
        ? { name: 'json_object', description: undefined, schema: undefined }
        : undefined;
  if (!spec) throw invalidRequest(`response_format type '${(format as { type: string }).type}' is not supported.`, 'response_format.type');
  if (clientTools.some((tool) => tool.function.name === spec.name)) {
    throw invalidRequest(`response_format name '${spec.name}' collides with a tool of the same name.`, 'response_format.json_schema.name');
  }
  return {
    name: spec.name,
    description: spec.description ?? 'Give your final answer by calling this tool; its input is the answer, a JSON object.',
    inputSchema: { json: (spec.schema ?? { type: 'object' }) as DocumentType },
  };
}
