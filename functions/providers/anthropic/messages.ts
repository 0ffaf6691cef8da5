import { invalidRequest } from '../../core/errors';
import type { AssistantPart, CacheHint, ImagePart, Message, ReasoningPart, TextPart, ToolCallPart, ToolResultPart, UserPart } from '../../core/model/request';
import { parseToolArguments } from '../shared/tool-arguments';
import type {
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicRequestBlock,
  AnthropicTextBlock,
  AnthropicThinkingBlock,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
} from './wire-types';

/** The conversation part of an Anthropic request. */
export interface TranslatedMessages {
  system: AnthropicTextBlock[];
  messages: AnthropicMessage[];
}

/**
 * Translates the canonical conversation into Anthropic's `system` + `messages`.
 *
 * - system messages (wherever they appear) become the top-level `system` blocks, in order,
 *   because Anthropic has no system role inside `messages`;
 * - tool results become `tool_result` blocks of a user turn;
 * - consecutive turns of the same role are merged into one, since Anthropic requires strictly
 *   alternating roles, and in a merged user turn the `tool_result` blocks come first, as the API
 *   demands;
 * - Claude's own reasoning (signed thinking and redacted blocks) is replayed first in its
 *   assistant turn, signatures intact; reasoning without Claude's state cannot be replayed and is
 *   left out;
 * - empty text is skipped (Anthropic rejects empty text blocks; OpenAI clients often send
 *   `content: ""` beside tool calls).
 *
 * Throws a 400 naming the offending field for content Anthropic cannot take.
 */
export function translateMessages(messages: readonly Message[]): TranslatedMessages {
  const system: AnthropicTextBlock[] = [];
  const turns: AnthropicMessage[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        system.push(...textBlocks(message.content));
        break;
      case 'user':
        appendTurn(turns, 'user', message.content.flatMap(userBlock));
        break;
      case 'assistant':
        appendTurn(turns, 'assistant', assistantBlocks(message.content));
        break;
      case 'tool':
        appendTurn(turns, 'user', [toolResultBlock(message.content[0])]);
        break;
    }
  }
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

function withCache<T extends object>(block: T, cache: CacheHint | undefined): T {
  return cache ? { ...block, cache_control: cache } : block;
}

function textBlocks(parts: readonly TextPart[]): AnthropicTextBlock[] {
  return parts.filter((part) => part.text !== '').map((part) => withCache<AnthropicTextBlock>({ type: 'text', text: part.text }, part.cache));
}

function userBlock(part: UserPart): AnthropicRequestBlock[] {
  switch (part.type) {
    case 'text':
      return textBlocks([part]);
    case 'image':
      return [imageBlock(part)];
    default:
      throw invalidRequest(`Content part type '${part.type === 'opaque' ? part.wireType : wireTypeOf(part.type)}' is not supported by Anthropic here.`, part.source ?? null);
  }
}

/** The chat wire names of the parts Anthropic takes through other routes only. */
function wireTypeOf(type: 'document' | 'audio'): string {
  return type === 'document' ? 'file' : 'input_audio';
}

/**
 * Inline images become base64 sources; `http(s):` URLs become URL sources that Anthropic
 * fetches itself (no download through the gateway, keeping the hot path lean).
 */
function imageBlock(part: ImagePart): AnthropicImageBlock {
  const param = part.source ? `${part.source}.image_url.url` : null;
  if (part.media.kind === 'base64') {
    return withCache<AnthropicImageBlock>({ type: 'image', source: { type: 'base64', media_type: part.media.mediaType, data: part.media.data } }, part.cache);
  }
  if (/^https?:\/\//i.test(part.media.url)) return withCache<AnthropicImageBlock>({ type: 'image', source: { type: 'url', url: part.media.url } }, part.cache);
  throw invalidRequest('Image URLs must be https URLs or base64 data URLs.', param);
}

function assistantBlocks(parts: readonly AssistantPart[]): AnthropicRequestBlock[] {
  const blocks: AnthropicRequestBlock[] = parts.flatMap((part) => (part.type === 'reasoning' ? thinkingBlock(part) : []));
  for (const part of parts) {
    if (part.type === 'text') blocks.push(...textBlocks([part]));
    else if (part.type === 'tool_call') blocks.push(toolUseBlock(part));
  }
  return blocks;
}

function thinkingBlock(part: ReasoningPart): AnthropicThinkingBlock[] {
  if (part.state?.format === 'anthropic') return [{ type: 'thinking', thinking: part.text, signature: part.state.signature }];
  if (part.state?.format === 'anthropic-redacted') return [{ type: 'redacted_thinking', data: part.state.data }];
  return [];
}

/** Anthropic takes tool input as an object; the canonical call carries it as JSON text. */
function toolUseBlock(call: ToolCallPart): AnthropicToolUseBlock {
  const input = parseToolArguments(call.arguments, call.source ? `${call.source}.function.arguments` : 'arguments');
  return withCache<AnthropicToolUseBlock>({ type: 'tool_use', id: call.id, name: call.name, input }, call.cache);
}

/**
 * One text part goes as a string, as clients mostly send it; more (or images, or cache hints) as
 * blocks. The result's own cache hint goes on the `tool_result` block.
 */
function toolResultBlock(result: ToolResultPart): AnthropicToolResultBlock {
  const [only, ...more] = result.content;
  if (only?.type === 'text' && more.length === 0 && !only.cache) return withCache<AnthropicToolResultBlock>({ type: 'tool_result', tool_use_id: result.toolCallId, content: only.text }, result.cache);
  const content = result.content.flatMap((part): Array<AnthropicTextBlock | AnthropicImageBlock> => (part.type === 'text' ? textBlocks([part]) : [imageBlock(part)]));
  return withCache<AnthropicToolResultBlock>({ type: 'tool_result', tool_use_id: result.toolCallId, content }, result.cache);
}
