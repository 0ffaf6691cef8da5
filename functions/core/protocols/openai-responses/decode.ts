import { invalidRequest } from '../../errors';
import { parseDataUrl } from '../../model/data-url';
import type { AssistantPart, CanonicalRequest, MediaSource, Message, OutputFormat, ReasoningEffort, TextPart, Tool, ToolChoice, UserPart } from '../../model/request';
import { reasoningStateOf } from './reasoning-state';
import type { InputContentPart, InputItem, ResponsesRequest, ResponsesTool } from './types';

/** Fields of a Responses request the canonical model carries, or the gateway handles itself. */
const HANDLED_FIELDS = new Set([
  'model', 'input', 'instructions', 'tools', 'tool_choice', 'parallel_tool_calls', 'text', 'reasoning', 'max_output_tokens', 'temperature', 'top_p',
  'user', 'safety_identifier', 'metadata', 'include', 'store', 'stream', 'previous_response_id',
  // A cache-routing hint (the canonical `cacheKey`): targets without one lose nothing but a cache hit.
  'prompt_cache_key',
  // Defaults the gateway's own answer follows (no server-side truncation, no background mode).
  'truncation', 'background', 'service_tier',
  // Codex's per-turn metadata for the server's own logs.
  'client_metadata',
]);

/**
 * Decodes a validated Responses body into the canonical request (DESIGN §1): `instructions` is
 * the first (system) message; a string `input` one user message; input items become messages —
 * consecutive assistant items (text, `reasoning` with its opaque state, `function_call`,
 * `custom_tool_call`) one assistant turn, `function_call_output` / `custom_tool_call_output` tool
 * messages. Function and custom tools are modelled; hosted and namespaced tools (web search, file
 * search, Codex's sub-agent namespace, …) stay unmodelled as `server_tools`, for a target that
 * cannot run them to refuse (or, with `dropUnsupportedParams`, to leave out). Every part keeps its source path,
 * so a provider's 400 names the field the client sent.
 */
export function decodeResponsesRequest(body: ResponsesRequest): CanonicalRequest {
  const messages: Message[] = [];
  if (body.instructions) messages.push({ role: 'system', content: [text(body.instructions, 'instructions')], source: 'instructions' });
  if (typeof body.input === 'string') messages.push({ role: 'user', content: [text(body.input, 'input')], source: 'input' });
  else (body.input ?? []).forEach((item, i) => appendItem(messages, item, `input[${i}]`));
  const clientTools = (body.tools ?? []).filter((tool) => tool.type === 'function' || tool.type === 'custom');
  const hostedTools = (body.tools ?? []).filter((tool) => !clientTools.includes(tool));
  const request: CanonicalRequest = {
    model: body.model,
    messages,
    tools: clientTools.map(decodeTool),
    stream: body.stream === true,
    unmodelled: {},
    paramNames: {
      maxOutputTokens: 'max_output_tokens',
      reasoning: 'reasoning.effort',
      output: 'text.format',
      temperature: 'temperature',
      topP: 'top_p',
      stop: 'stop',
      toolChoice: 'tool_choice',
      tools: 'tools',
    },
    native: { protocol: 'openai-responses', body },
  };
  if (body.tool_choice !== undefined) request.toolChoice = decodeToolChoice(body.tool_choice);
  if (typeof body.parallel_tool_calls === 'boolean') request.parallelToolCalls = body.parallel_tool_calls;
  const output = decodeFormat(body.text?.format);
  if (output) request.output = output;
  if (body.reasoning?.effort) request.reasoning = { effort: body.reasoning.effort as ReasoningEffort };
  if (typeof body.max_output_tokens === 'number') request.maxOutputTokens = body.max_output_tokens;
  if (typeof body.temperature === 'number') request.temperature = body.temperature;
  if (typeof body.top_p === 'number') request.topP = body.top_p;
  const user = body.safety_identifier ?? body.user;
  if (user) request.user = user;
  if (body.metadata) request.metadata = body.metadata;
  if (typeof body.prompt_cache_key === 'string' && body.prompt_cache_key !== '') request.cacheKey = body.prompt_cache_key;
  if (hostedTools.length > 0) request.unmodelled.server_tools = hostedTools;
  for (const [field, value] of Object.entries(body)) if (!HANDLED_FIELDS.has(field)) request.unmodelled[field] = value;
  return request;
}

function text(value: string, source: string): TextPart {
  return { type: 'text', text: value, source };
}

function media(url: string): MediaSource {
  const data = parseDataUrl(url);
  return data ? { kind: 'base64', mediaType: data.mediaType, data: data.base64 } : { kind: 'url', url };
}

function userPart(part: InputContentPart, source: string): UserPart {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return text(String(part.text ?? ''), source);
    case 'input_image':
      if (typeof part.image_url === 'string') return { type: 'image', media: media(part.image_url), ...(part.detail ? { detail: part.detail } : {}), source };
      break;
    case 'input_file': {
      const url = typeof part.file_data === 'string' ? part.file_data : part.file_url;
      if (typeof url === 'string') return { type: 'document', media: media(url), ...(part.filename ? { filename: part.filename } : {}), source };
      break;
    }
  }
  // A part the gateway cannot carry (an uploaded file id, audio, …): the target judges it.
  return { type: 'opaque', wireType: part.type, source };
}

/** The assistant turn at the end of `messages`, opened when the last message is not one. */
function assistantTurn(messages: Message[], source: string): AssistantPart[] {
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant') return last.content;
  const turn: Message = { role: 'assistant', content: [], source };
  messages.push(turn);
  return turn.content;
}

function appendItem(messages: Message[], item: InputItem, source: string): void {
  const type = item.type ?? 'message';
  switch (type) {
    case 'message': {
      const content = item.content ?? '';
      const parts = typeof content === 'string' ? [{ type: 'input_text', text: content }] : content;
      const at = (j: number): string => (typeof content === 'string' ? `${source}.content` : `${source}.content[${j}]`);
      if (item.role === 'assistant') {
        assistantTurn(messages, source).push(...parts.filter((part) => part.type === 'output_text' || part.type === 'input_text').map((part, j) => text(String(part.text ?? ''), at(j))));
      } else if (item.role === 'system' || item.role === 'developer') {
        messages.push({ role: 'system', content: parts.map((part, j) => text(String(part.text ?? ''), at(j))), source });
      } else {
        messages.push({ role: 'user', content: parts.map((part, j) => userPart(part, at(j))), source });
      }
      return;
    }
    case 'function_call':
    case 'custom_tool_call':
      assistantTurn(messages, source).push({
        type: 'tool_call',
        id: String(item.call_id ?? ''),
        name: String(item.name ?? ''),
        kind: type === 'function_call' ? 'function' : 'custom',
        arguments: String((type === 'function_call' ? item.arguments : item.input) ?? ''),
        source,
      });
      return;
    case 'function_call_output':
    case 'custom_tool_call_output': {
      const output = item.output ?? '';
      const content = typeof output === 'string' ? [text(output, `${source}.output`)] : output.filter((part) => part.type === 'input_text' || part.type === 'output_text').map((part, j) => text(String(part.text ?? ''), `${source}.output[${j}]`));
      messages.push({ role: 'tool', content: [{ type: 'tool_result', toolCallId: String(item.call_id ?? ''), content, source }], source });
      return;
    }
    case 'reasoning': {
      const summary = (item.summary ?? []).map((part) => part.text).join('\n\n');
      const part: AssistantPart = { type: 'reasoning', text: summary, source };
      if (typeof item.encrypted_content === 'string' && item.encrypted_content !== '') part.state = reasoningStateOf(item.encrypted_content, item.id);
      assistantTurn(messages, source).push(part);
      return;
    }
    default:
      throw invalidRequest(`Invalid value for '${source}.type': '${type}' items are not supported by this gateway.`, `${source}.type`, 'unsupported_value');
  }
}

function decodeTool(tool: ResponsesTool): Tool {
  if (tool.type === 'custom') {
    const custom: Tool = { type: 'custom', name: String(tool.name ?? '') };
    if (tool.description) custom.description = tool.description;
    if (tool.format) custom.format = tool.format;
    return custom;
  }
  const fn: Tool = { type: 'function', name: String(tool.name ?? '') };
  if (tool.description) fn.description = tool.description;
  if (tool.parameters) fn.parameters = tool.parameters;
  if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
  return fn;
}

function decodeToolChoice(choice: NonNullable<ResponsesRequest['tool_choice']>): ToolChoice {
  if (typeof choice === 'string') return { type: choice };
  if ((choice.type === 'function' || choice.type === 'custom') && choice.name) return { type: 'tool', name: choice.name };
  // A hosted tool or an allowed-tools list: the model chooses among the tools it was given.
  return { type: 'auto' };
}

function decodeFormat(format: NonNullable<ResponsesRequest['text']>['format']): OutputFormat | undefined {
  if (!format) return undefined;
  if (format.type !== 'json_schema') return { type: format.type };
  const output: OutputFormat = { type: 'json_schema', name: format.name };
  if (format.schema) output.schema = format.schema;
  if (format.description) output.description = format.description;
  if (typeof format.strict === 'boolean') output.strict = format.strict;
  return output;
}
