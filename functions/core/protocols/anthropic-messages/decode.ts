import type {
  AssistantPart,
  CacheHint,
  CanonicalRequest,
  ImagePart,
  MediaSource,
  Message,
  ReasoningEffort,
  TextPart,
  Tool,
  ToolChoice,
  ToolResultPart,
  UserPart,
} from '../../model/request';
import type { MessageParam, MessagesRequest, RequestBlock, ToolParam } from './types';

/** Fields of a Messages request the canonical model carries (everything else is `unmodelled`). */
const MODELLED_FIELDS = new Set([
  'model', 'max_tokens', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'stop_sequences', 'temperature', 'top_p', 'top_k', 'metadata', 'stream',
]);

/** Thinking budgets as effort levels, for targets that take levels (strongest level reached). */
const EFFORT_BUDGETS: ReadonlyArray<[ReasoningEffort, number]> = [
  ['xhigh', 32_768],
  ['high', 16_384],
  ['medium', 8_192],
  ['low', 2_048],
];

/**
 * Decodes a validated Messages body into the canonical request (DESIGN §1). The top-level
 * `system` becomes the first message, and a `system` turn inside `messages` a system message in
 * its place; a user turn's `tool_result` blocks become tool messages
 * (ahead of the rest of the turn, as Anthropic orders them); thinking blocks keep their signature
 * and redacted blocks their data; client tools become function tools and Anthropic's server tools
 * stay unmodelled (`server_tools`), for a target that cannot run them to refuse. The body itself
 * is kept for native pass-through.
 */
export function decodeMessagesRequest(body: MessagesRequest): CanonicalRequest {
  const messages: Message[] = [];
  if (body.system !== undefined) messages.push(systemMessage(body.system));
  body.messages.forEach((message, i) => messages.push(...decodeMessage(message, `messages[${i}]`)));
  const clientTools = (body.tools ?? []).filter((tool) => tool.type === undefined || tool.type === 'custom');
  const serverTools = (body.tools ?? []).filter((tool) => !clientTools.includes(tool));
  const request: CanonicalRequest = {
    model: body.model,
    messages,
    tools: clientTools.map(decodeTool),
    maxOutputTokens: body.max_tokens,
    stream: body.stream === true,
    unmodelled: {},
    paramNames: {
      maxOutputTokens: 'max_tokens',
      reasoning: 'thinking',
      output: 'output_format',
      temperature: 'temperature',
      topP: 'top_p',
      stop: 'stop_sequences',
      toolChoice: 'tool_choice',
      tools: 'tools',
    },
    native: { protocol: 'anthropic-messages', body },
  };
  if (body.tool_choice) {
    request.toolChoice = decodeToolChoice(body.tool_choice);
    if (body.tool_choice.disable_parallel_tool_use === true) request.parallelToolCalls = false;
  }
  if (body.thinking?.type === 'enabled' && typeof body.thinking.budget_tokens === 'number') {
    const budget = body.thinking.budget_tokens;
    request.reasoning = { effort: EFFORT_BUDGETS.find(([, min]) => budget >= min)?.[0] ?? 'minimal', budgetTokens: budget };
  }
  if (body.stop_sequences && body.stop_sequences.length > 0) request.stop = body.stop_sequences;
  if (body.temperature !== undefined) request.temperature = body.temperature;
  if (body.top_p !== undefined) request.topP = body.top_p;
  if (body.top_k !== undefined) request.topK = body.top_k;
  if (typeof body.metadata?.user_id === 'string' && body.metadata.user_id !== '') request.user = body.metadata.user_id;
  if (serverTools.length > 0) request.unmodelled.server_tools = serverTools;
  for (const [field, value] of Object.entries(body)) if (!MODELLED_FIELDS.has(field)) request.unmodelled[field] = value;
  return request;
}

function systemMessage(system: NonNullable<MessagesRequest['system']>): Message {
  if (typeof system === 'string') return { role: 'system', content: [{ type: 'text', text: system, source: 'system' }], source: 'system' };
  return { role: 'system', content: system.map((block, i) => text(block.text, `system[${i}]`, block.cache_control)), source: 'system' };
}

function text(value: string, source: string, cache?: CacheHint): TextPart {
  const part: TextPart = { type: 'text', text: value, source };
  if (cache) part.cache = cache;
  return part;
}

function blocksOf(message: MessageParam, source: string): Array<[RequestBlock, string]> {
  if (typeof message.content === 'string') return [[{ type: 'text', text: message.content }, `${source}.content`]];
  return message.content.map((block, j) => [block, `${source}.content[${j}]`]);
}

function decodeMessage(message: MessageParam, source: string): Message[] {
  const blocks = blocksOf(message, source);
  if (message.role === 'system') return [{ role: 'system', content: blocks.map(([block, at]) => text(String(block.text), at, block.cache_control)), source }];
  if (message.role === 'assistant') return [{ role: 'assistant', content: blocks.flatMap(([block, at]) => assistantPart(block, at)), source }];
  const results: Message[] = blocks
    .filter(([block]) => block.type === 'tool_result')
    .map(([block, at]): Message => ({ role: 'tool', content: [toolResult(block, at)], source: at }));
  const rest = blocks.filter(([block]) => block.type !== 'tool_result').map(([block, at]) => userPart(block, at));
  return rest.length > 0 ? [...results, { role: 'user', content: rest, source }] : results;
}

function media(source: unknown): MediaSource | undefined {
  const s = source as { type?: unknown; media_type?: unknown; data?: unknown; url?: unknown } | undefined;
  if (s?.type === 'base64' && typeof s.media_type === 'string' && typeof s.data === 'string') return { kind: 'base64', mediaType: s.media_type, data: s.data };
  if (s?.type === 'url' && typeof s.url === 'string') return { kind: 'url', url: s.url };
  return undefined;
}

function userPart(block: RequestBlock, source: string): UserPart {
  const cache = block.cache_control;
  if (block.type === 'text') return text(String(block.text ?? ''), source, cache);
  const blockMedia = media(block.source);
  if (block.type === 'image' && blockMedia) {
    const image: ImagePart = { type: 'image', media: blockMedia, source };
    if (cache) image.cache = cache;
    return image;
  }
  if (block.type === 'document' && blockMedia) {
    const document: UserPart = { type: 'document', media: blockMedia, source };
    if (typeof block.title === 'string') document.filename = block.title;
    if (cache) document.cache = cache;
    return document;
  }
  return { type: 'opaque', wireType: block.type, source };
}

function toolResult(block: RequestBlock, source: string): ToolResultPart {
  const content = block.content;
  const parts: Array<TextPart | ImagePart> =
    typeof content === 'string'
      ? [text(content, `${source}.content`)]
      : Array.isArray(content)
        ? (content as RequestBlock[]).flatMap((inner, k): Array<TextPart | ImagePart> => {
            const part = userPart(inner, `${source}.content[${k}]`);
            return part.type === 'text' || part.type === 'image' ? [part] : [];
          })
        : [];
  const result: ToolResultPart = { type: 'tool_result', toolCallId: String(block.tool_use_id ?? ''), content: parts, source };
  if (block.is_error === true) result.isError = true;
  if (block.cache_control) result.cache = block.cache_control;
  return result;
}

/** An assistant block; server tool blocks have no canonical form (only pass-through keeps them). */
function assistantPart(block: RequestBlock, source: string): AssistantPart[] {
  switch (block.type) {
    case 'text':
      return [text(String(block.text ?? ''), source, block.cache_control)];
    case 'thinking':
      return [{ type: 'reasoning', text: String(block.thinking ?? ''), state: { format: 'anthropic', signature: String(block.signature ?? '') }, source }];
    case 'redacted_thinking':
      return [{ type: 'reasoning', text: '', state: { format: 'anthropic-redacted', data: String(block.data ?? '') }, source }];
    case 'tool_use': {
      const call: AssistantPart = { type: 'tool_call', id: String(block.id ?? ''), name: String(block.name ?? ''), kind: 'function', arguments: JSON.stringify(block.input ?? {}), source };
      if (block.cache_control) call.cache = block.cache_control;
      return [call];
    }
    default:
      return [];
  }
}

function decodeTool(tool: ToolParam): Tool {
  const decoded: Tool = { type: 'function', name: tool.name, parameters: tool.input_schema ?? { type: 'object', properties: {} } };
  if (tool.description !== undefined) decoded.description = tool.description;
  if (tool.cache_control) decoded.cache = tool.cache_control;
  return decoded;
}

function decodeToolChoice(choice: NonNullable<MessagesRequest['tool_choice']>): ToolChoice {
  switch (choice.type) {
    case 'any':
      return { type: 'required' };
    case 'tool':
      return { type: 'tool', name: choice.name ?? '' };
    case 'none':
      return { type: 'none' };
    default:
      return { type: 'auto' };
  }
}
