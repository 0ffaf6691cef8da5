import type { Tool as ConverseTool, ToolChoice as ConverseToolChoice, ToolConfiguration } from '@aws-sdk/client-bedrock-runtime';
import type { DocumentType } from '@smithy/types';
import { invalidRequest } from '../../core/errors';
import type { CanonicalRequest, Tool } from '../../core/model/request';

/** The tool part of a Converse request. */
export interface ToolTranslation {
  toolConfig: ToolConfiguration | undefined;
  /**
   * Name of the tool that carries a structured-output answer: its input is the JSON reply, so the
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
 * Translates the tools, the tool choice and the output format into a Converse `toolConfig`.
 *
 * - tools → `toolSpec {name, description, inputSchema: {json}}`;
 * - tool choice: auto (or absent) → Converse's default, required → `any`, named → `tool`,
 *   none → no tools at all (Converse has no "none");
 * - JSON output (json_schema/json_object) → one more tool whose input schema is the response
 *   schema, forced when the client has no tools of its own, and `any` when it has (the model
 *   then either calls the client's tools or answers through the response tool). Converse's native
 *   `outputConfig` only works on a few recent models; a forced tool works on every model with
 *   tool use.
 */
export function translateTools(request: CanonicalRequest, options: ToolOptions): ToolTranslation {
  const choice = request.toolChoice;
  const choiceParam = request.paramNames.toolChoice;
  let clientTools = request.tools;
  if (choice?.type === 'none' && clientTools.length > 0) {
    if (options.historyHasTools && !options.dropUnsupportedParams) {
      throw invalidRequest(`Bedrock cannot forbid tool calls (${choiceParam} 'none') in a conversation that already contains tool calls.`, choiceParam);
    }
    if (!options.historyHasTools) clientTools = [];
  }
  const response = responseToolSpec(request, clientTools);
  const tools: ConverseTool[] = clientTools.map((tool, i) => toolSpec(tool, `${request.paramNames.tools}[${i}]`));
  if (response) tools.push({ toolSpec: response });
  if (tools.length === 0) {
    if (choice?.type === 'required' || choice?.type === 'tool') throw invalidRequest(`${choiceParam} requires tools.`, choiceParam);
    return { toolConfig: undefined, responseTool: undefined };
  }
  const toolChoice = converseToolChoice(request, clientTools, response?.name);
  return { toolConfig: toolChoice ? { tools, toolChoice } : { tools }, responseTool: response?.name };
}

function toolSpec(tool: Tool, param: string): ConverseTool {
  if (tool.type !== 'function') throw invalidRequest("Only tools of type 'function' with a name are supported.", param);
  const { name, description, parameters } = tool;
  return { toolSpec: { name, ...(description ? { description } : {}), inputSchema: { json: (parameters ?? EMPTY_OBJECT_SCHEMA) as DocumentType } } };
}

function converseToolChoice(request: CanonicalRequest, clientTools: readonly Tool[], responseTool: string | undefined): ConverseToolChoice | undefined {
  const choice = request.toolChoice;
  if (choice?.type === 'tool') {
    if (!clientTools.some((tool) => tool.name === choice.name)) {
      throw invalidRequest(`${request.paramNames.toolChoice} names '${choice.name}', which is not in ${request.paramNames.tools}.`, request.paramNames.toolChoice);
    }
    return { tool: { name: choice.name } };
  }
  if (choice?.type === 'required' && clientTools.length > 0) return { any: {} };
  if (responseTool) return clientTools.length > 0 ? { any: {} } : { tool: { name: responseTool } };
  return undefined;
}

function responseToolSpec(request: CanonicalRequest, clientTools: readonly Tool[]): { name: string; description: string; inputSchema: { json: DocumentType } } | undefined {
  const format = request.output;
  if (!format || format.type === 'text') return undefined;
  const spec = format.type === 'json_schema' ? { name: format.name, description: format.description, schema: format.schema } : { name: 'json_object', description: undefined, schema: undefined };
  if (clientTools.some((tool) => tool.name === spec.name)) {
    const param = request.paramNames.output;
    throw invalidRequest(`${param} name '${spec.name}' collides with a tool of the same name.`, format.type === 'json_schema' ? `${param}.json_schema.name` : param);
  }
  return {
    name: spec.name,
    description: spec.description ?? 'Give your final answer by calling this tool; its input is the answer, a JSON object.',
    inputSchema: { json: (spec.schema ?? { type: 'object' }) as DocumentType },
  };
}
