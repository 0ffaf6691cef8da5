import { parseDataUrl } from '../../model/data-url';
import type {
  AssistantPart,
  CacheHint,
  CanonicalRequest,
  ImagePart,
  MediaSource,
  Message,
  OutputFormat,
  ReasoningPart,
  TextPart,
  Tool,
  ToolCallPart,
  ToolChoice,
  UserPart,
} from '../../model/request';
import type { ChatCompletionRequest, ChatMessage, ContentPart, ResponseFormat, ToolCall, ToolChoice as ChatToolChoice, ToolDefinition } from './types';

/** Fields of a chat request the canonical model carries (everything else is `unmodelled`). */
const MODELLED_FIELDS = new Set([
  'model', 'messages', 'stream', 'stream_options', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'n', 'max_tokens',
  'max_completion_tokens', 'stop', 'temperature', 'top_p', 'seed', 'user', 'metadata', 'reasoning_effort', 'presence_penalty', 'frequency_penalty',
  'prompt_cache_key',
]);

/**
 * Decodes a validated Chat Completions body into the canonical request (DESIGN §1), one
 * canonical message per chat message, in order, each with its `source` path. Nothing is
 * validated here beyond the schema: whether a target can take an image URL or a content part is
 * for its provider to say, in its own words. The body itself is kept for native pass-through.
 */
export function decodeChatRequest(body: ChatCompletionRequest): CanonicalRequest {
  const request: CanonicalRequest = {
    model: body.model,
    messages: body.messages.map((message, i) => decodeMessage(message, `messages[${i}]`)),
    tools: (body.tools ?? []).map(decodeTool),
    stream: body.stream === true,
    unmodelled: {},
    paramNames: {
      maxOutputTokens: body.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens',
      reasoning: 'reasoning_effort',
      output: 'response_format',
      temperature: 'temperature',
      topP: 'top_p',
      stop: 'stop',
      toolChoice: 'tool_choice',
      tools: 'tools',
    },
    native: { protocol: 'openai-chat', body },
  };
  if (body.tool_choice !== undefined) request.toolChoice = decodeToolChoice(body.tool_choice);
  if (body.parallel_tool_calls !== undefined) request.parallelToolCalls = body.parallel_tool_calls;
  if (body.response_format !== undefined) request.output = decodeOutputFormat(body.response_format);
  const maxOutputTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxOutputTokens != null) request.maxOutputTokens = maxOutputTokens;
  if (body.temperature != null) request.temperature = body.temperature;
  if (body.top_p != null) request.topP = body.top_p;
  if (body.stop != null) request.stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (body.seed != null) request.seed = body.seed;
  if (body.n != null) request.n = body.n;
  if (typeof body.presence_penalty === 'number') request.presencePenalty = body.presence_penalty;
  if (typeof body.frequency_penalty === 'number') request.frequencyPenalty = body.frequency_penalty;
  if (body.reasoning_effort != null) request.reasoning = { effort: body.reasoning_effort };
  if (body.user) request.user = body.user;
  if (body.metadata) request.metadata = body.metadata;
  if (typeof body.prompt_cache_key === 'string' && body.prompt_cache_key !== '') request.cacheKey = body.prompt_cache_key;
  for (const [field, value] of Object.entries(body)) if (!MODELLED_FIELDS.has(field)) request.unmodelled[field] = value;
  return request;
}

function decodeMessage(message: ChatMessage, source: string): Message {
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: textParts(message.content, source), source };
    case 'user':
      return { role: 'user', content: userParts(message.content, source), source };
    case 'assistant':
      return { role: 'assistant', content: assistantParts(message, source), source };
    case 'tool':
      return { role: 'tool', content: [{ type: 'tool_result', toolCallId: message.tool_call_id, content: textParts(message.content, source), source }], source };
    default:
      throw new Error(`unvalidated message role '${(message as { role: string }).role}'`);
  }
}

function cacheOf(value: unknown): CacheHint | undefined {
  return (value as { cache_control?: CacheHint }).cache_control;
}

function text(value: string, source: string, cache?: CacheHint): TextPart {
  const part: TextPart = { type: 'text', text: value, source };
  if (cache) part.cache = cache;
  return part;
}

function textParts(content: string | ReadonlyArray<ContentPart> | null | undefined, source: string): TextPart[] {
  if (content == null) return [];
  if (typeof content === 'string') return [text(content, `${source}.content`)];
  return content.map((part, j) => text(String((part as { text?: unknown }).text ?? ''), `${source}.content[${j}]`, cacheOf(part)));
}

/** A `data:` URL becomes inline base64; anything else stays a URL for the target to judge. */
function media(url: string): MediaSource {
  const data = parseDataUrl(url);
  return data ? { kind: 'base64', mediaType: data.mediaType, data: data.base64 } : { kind: 'url', url };
}

function userParts(content: string | ReadonlyArray<ContentPart>, source: string): UserPart[] {
  if (typeof content === 'string') return [text(content, `${source}.content`)];
  return content.map((part, j): UserPart => {
    const partSource = `${source}.content[${j}]`;
    const p = part as Record<string, unknown>;
    const cache = cacheOf(part);
    switch (part.type) {
      case 'text':
        return text(String(p.text ?? ''), partSource, cache);
      case 'image_url': {
        const imageUrl = p.image_url as { url: string; detail?: ImagePart['detail'] };
        const image: ImagePart = { type: 'image', media: media(imageUrl.url), source: partSource };
        if (imageUrl.detail) image.detail = imageUrl.detail;
        if (cache) image.cache = cache;
        return image;
      }
      case 'input_audio': {
        const audio = p.input_audio as { data?: unknown; format?: unknown } | undefined;
        return { type: 'audio', data: String(audio?.data ?? ''), format: String(audio?.format ?? 'wav'), source: partSource };
      }
      case 'file': {
        const file = p.file as { file_data?: unknown; filename?: unknown } | undefined;
        if (typeof file?.file_data !== 'string') return { type: 'opaque', wireType: 'file', source: partSource };
        const document: UserPart = { type: 'document', media: media(file.file_data), source: partSource };
        if (typeof file.filename === 'string') document.filename = file.filename;
        return document;
      }
      default:
        return { type: 'opaque', wireType: part.type, source: partSource };
    }
  });
}

/**
 * An assistant turn: Claude's thinking blocks (handed back in `thinking_blocks`) first, as Claude
 * requires, else the plain `reasoning_content`; then the text; then the tool calls.
 */
function assistantParts(message: Extract<ChatMessage, { role: 'assistant' }>, source: string): AssistantPart[] {
  const parts: AssistantPart[] = thinkingParts(message, source);
  if (parts.length === 0 && typeof message.reasoning_content === 'string' && message.reasoning_content !== '') {
    parts.push({ type: 'reasoning', text: message.reasoning_content, source: `${source}.reasoning_content` });
  }
  parts.push(...textParts(message.content, source));
  message.tool_calls?.forEach((call, j) => parts.push(toolCallPart(call, `${source}.tool_calls[${j}]`)));
  return parts;
}

/** The valid `thinking_blocks` a client sent back (others are ignored). */
function thinkingParts(message: ChatMessage, source: string): ReasoningPart[] {
  const blocks = (message as { thinking_blocks?: unknown }).thinking_blocks;
  if (!Array.isArray(blocks)) return [];
  const parts: ReasoningPart[] = [];
  blocks.forEach((block: { type?: unknown; thinking?: unknown; signature?: unknown; data?: unknown } | null, k) => {
    const blockSource = `${source}.thinking_blocks[${k}]`;
    if (block?.type === 'thinking' && typeof block.thinking === 'string' && typeof block.signature === 'string') {
      parts.push({ type: 'reasoning', text: block.thinking, state: { format: 'anthropic', signature: block.signature }, source: blockSource });
    } else if (block?.type === 'redacted_thinking' && typeof block.data === 'string') {
      parts.push({ type: 'reasoning', text: '', state: { format: 'anthropic-redacted', data: block.data }, source: blockSource });
    }
  });
  return parts;
}

function toolCallPart(call: ToolCall, source: string): ToolCallPart {
  const part: ToolCallPart = { type: 'tool_call', id: call.id, name: call.function.name, kind: 'function', arguments: call.function.arguments, source };
  const signature = (call as { extra_content?: { google?: { thought_signature?: unknown } } }).extra_content?.google?.thought_signature;
  if (typeof signature === 'string') part.thoughtSignature = signature;
  const cache = cacheOf(call);
  if (cache) part.cache = cache;
  return part;
}

function decodeTool(tool: ToolDefinition): Tool {
  const decoded: Tool = { type: 'function', name: tool.function.name };
  if (tool.function.description !== undefined) decoded.description = tool.function.description;
  if (tool.function.parameters !== undefined) decoded.parameters = tool.function.parameters;
  if (typeof tool.function.strict === 'boolean') decoded.strict = tool.function.strict;
  // A non-standard field some clients send (as with LiteLLM) to cache the tool definitions.
  const cache = cacheOf(tool);
  if (cache) decoded.cache = cache;
  return decoded;
}

function decodeToolChoice(choice: ChatToolChoice): ToolChoice {
  return typeof choice === 'object' ? { type: 'tool', name: choice.function.name } : { type: choice };
}

function decodeOutputFormat(format: ResponseFormat): OutputFormat {
  if (format.type !== 'json_schema') return { type: format.type };
  const output: OutputFormat = { type: 'json_schema', name: format.json_schema.name };
  if (format.json_schema.description !== undefined) output.description = format.json_schema.description;
  if (format.json_schema.schema !== undefined) output.schema = format.json_schema.schema;
  if (typeof format.json_schema.strict === 'boolean') output.strict = format.json_schema.strict;
  return output;
}
