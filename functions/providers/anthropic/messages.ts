import { invalidRequest } from '../../core/errors';
import type { ChatMessage, ContentPart, ToolCall } from '../../core/openai/types';
import { parseDataUrl } from '../shared/data-url';
import { thinkingBlocksOf } from '../shared/thinking-blocks';
import { parseToolArguments } from '../shared/tool-arguments';
import type {
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicRequestBlock,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
  CacheControl,
} from './wire-types';

/** The conversation part of an Anthropic request. */
export interface TranslatedMessages {
  system: AnthropicTextBlock[];
  messages: AnthropicMessage[];
}


/**
 * Translates OpenAI messages into Anthropic's `system` + `messages`.
 *
 * - system and developer messages (wherever they appear) become the top-level `system` blocks,
 *   in order, because Anthropic has no system role inside `messages`;
 * - tool messages become `tool_result` blocks of a user turn;
 * - consecutive turns of the same role are merged into one, since Anthropic requires strictly
 *   alternating roles, and in a merged user turn the `tool_result` blocks come first, as the API
 *   demands;
 * - `thinking_blocks` on assistant messages (which this adapter returns beside
 *   `reasoning_content`) are replayed first in the turn, signatures intact;
 * - empty text is skipped (Anthropic rejects empty text blocks; OpenAI clients often send
 *   `content: ""` beside tool calls).
 *
 * Throws a 400 naming the offending field for content Anthropic cannot take.
 */
export function translateMessages(messages: readonly ChatMessage[]): TranslatedMessages {
  const system: AnthropicTextBlock[] = [];
  const turns: AnthropicMessage[] = [];
  messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(message.content, param));
        return;
      case 'user':
        appendTurn(turns, 'user', userBlocks(message.content, param));
        return;
      case 'assistant': {
        const blocks: AnthropicRequestBlock[] = thinkingBlocksOf(message);
        if (message.content) blocks.push(...textBlocks(message.content, param));
        message.tool_calls?.forEach((call, j) => blocks.push(toolUseBlock(call, `${param}.tool_calls[${j}]`)));
        appendTurn(turns, 'assistant', blocks);
        return;
      }
      case 'tool':
        appendTurn(turns, 'user', [toolResultBlock(message.tool_call_id, message.content, param)]);
        return;
      default:
        throw invalidRequest(`Unsupported message role '${(message as { role: string }).role}'.`, `${param}.role`);
    }
  });
  if (turns.length === 0) throw invalidRequest('At least one user or assistant message is required.', 'messages');
  for (const turn of turns) {
    if (turn.role === 'user') turn.content = toolResultsFirst(turn.content);
  }
  return { system, messages: turns };
}

/**
 * Whether the conversation continues a tool loop whose assistant turn has no thinking block:
 * Anthropic then rejects a request with thinking enabled, so the caller leaves thinking off.
 */
export function continuesToolLoopWithoutThinking(turns: readonly AnthropicMessage[]): boolean {
  const last = turns[turns.length - 1];
  const assistant = turns[turns.length - 2];
  if (!last || !assistant || last.role !== 'user' || !last.content.some((block) => block.type === 'tool_result')) return false;
  const first = assistant.content[0]?.type;
  return first !== 'thinking' && first !== 'redacted_thinking';
}


function appendTurn(turns: AnthropicMessage[], role: AnthropicMessage['role'], blocks: AnthropicRequestBlock[]): void {
  if (blocks.length === 0) return;
  const last = turns[turns.length - 1];
  if (last && last.role === role) last.content.push(...blocks);
  else turns.push({ role, content: blocks });
}

function toolResultsFirst(blocks: AnthropicRequestBlock[]): AnthropicRequestBlock[] {
  const results = blocks.filter((block) => block.type === 'tool_result');
  if (results.length === 0 || results.length === blocks.length) return blocks;
  return [...results, ...blocks.filter((block) => block.type !== 'tool_result')];
}

function withCache<T extends object>(block: T, cacheControl: CacheControl | undefined): T {
  return cacheControl ? { ...block, cache_control: cacheControl } : block;
}

function cacheControlOf(part: ContentPart): CacheControl | undefined {
  return (part as { cache_control?: CacheControl }).cache_control;
}

/** Text-only content (system, assistant, tool): a string or text parts. */
function textBlocks(content: string | readonly ContentPart[], param: string): AnthropicTextBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const blocks: AnthropicTextBlock[] = [];
  content.forEach((part, j) => {
    const block = textBlock(part, `${param}.content[${j}]`);
    if (block) blocks.push(block);
  });
  return blocks;
}

/** One text part as a block; `undefined` for parts with nothing to send. */
function textBlock(part: ContentPart, param: string): AnthropicTextBlock | undefined {
  // Assistant history may carry OpenAI refusal parts; they are not model text to replay.
  if (part.type === 'refusal') return undefined;
  if (part.type !== 'text') throw invalidRequest(`Content part type '${part.type}' is not supported by Anthropic here.`, param);
  const text = (part as { text?: unknown }).text;
  if (typeof text !== 'string') throw invalidRequest('A text content part needs a string `text`.', `${param}.text`);
  return text === '' ? undefined : withCache<AnthropicTextBlock>({ type: 'text', text }, cacheControlOf(part));
}

function userBlocks(content: string | readonly ContentPart[], param: string): AnthropicRequestBlock[] {
  if (typeof content === 'string') return textBlocks(content, param);
  const blocks: AnthropicRequestBlock[] = [];
  content.forEach((part, j) => {
    const block = part.type === 'image_url' ? imageBlock(part, `${param}.content[${j}]`) : textBlock(part, `${param}.content[${j}]`);
    if (block) blocks.push(block);
  });
  return blocks;
}

/**
 * `data:` URLs become inline base64 sources; `http(s):` URLs become URL sources that Anthropic
 * fetches itself (no download through the gateway, keeping the hot path lean).
 */
function imageBlock(part: ContentPart, param: string): AnthropicImageBlock {
  const url = (part as { image_url?: { url?: unknown } }).image_url?.url;
  if (typeof url !== 'string') throw invalidRequest('An image_url part needs `image_url.url`.', `${param}.image_url.url`);
  const cache = cacheControlOf(part);
  const data = parseDataUrl(url);
  if (data) {
    return withCache<AnthropicImageBlock>({ type: 'image', source: { type: 'base64', media_type: data.mediaType, data: data.base64 } }, cache);
  }
  if (/^https?:\/\//i.test(url)) return withCache<AnthropicImageBlock>({ type: 'image', source: { type: 'url', url } }, cache);
  throw invalidRequest('Image URLs must be https URLs or base64 data URLs.', `${param}.image_url.url`);
}

/** Anthropic takes tool input as an object, OpenAI sends it as a JSON string. */
function toolUseBlock(call: ToolCall, param: string): AnthropicToolUseBlock {
  const input = parseToolArguments(call.function.arguments, `${param}.function.arguments`);
  return withCache<AnthropicToolUseBlock>({ type: 'tool_use', id: call.id, name: call.function.name, input }, (call as { cache_control?: CacheControl }).cache_control);
}

function toolResultBlock(toolCallId: string, content: string | readonly ContentPart[], param: string): AnthropicToolResultBlock {
  if (typeof content === 'string') return { type: 'tool_result', tool_use_id: toolCallId, content };
  return { type: 'tool_result', tool_use_id: toolCallId, content: textBlocks(content, param) };
}
