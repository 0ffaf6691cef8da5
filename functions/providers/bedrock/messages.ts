import type { ContentBlock, ConversationRole, ImageFormat, Message, SystemContentBlock } from '@aws-sdk/client-bedrock-runtime';
import { invalidRequest } from '../../core/errors';
import type { ChatMessage, ContentPart, TextContentPart, ToolCall } from '../../core/openai/types';
import { parseDataUrl } from '../shared/data-url';
import { parseToolArguments } from '../shared/tool-arguments';
import { thinkingBlocksOf, type ThinkingBlock } from '../shared/thinking-blocks';

/** The conversation in Converse form. */
export interface ConverseConversation {
  system: SystemContentBlock[];
  messages: Message[];
}

const IMAGE_FORMATS: Readonly<Record<string, ImageFormat>> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};


/**
 * Translates OpenAI messages into Converse `system` blocks and `messages`.
 *
 * Converse requires user and assistant turns to alternate, so consecutive messages of the same
 * Converse role are merged into one message; OpenAI `tool` messages become `toolResult` blocks of
 * a user message (merged with the user text that may follow them). `cache_control` on a text part
 * becomes a `cachePoint` block right after it, which is how Converse marks a prompt-cache prefix.
 */
export function translateMessages(messages: readonly ChatMessage[]): ConverseConversation {
  const system: SystemContentBlock[] = [];
  const out: Message[] = [];
  messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    let role: ConversationRole;
    let content: ContentBlock[];
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...(textBlocks(message.content) as SystemContentBlock[]));
        return;
      case 'user':
        [role, content] = ['user', userContent(message.content, param)];
        break;
      case 'assistant':
        [role, content] = [
          'assistant',
          [
            // Claude's signed reasoning first, as it requires when a tool loop continues with thinking on.
            ...thinkingBlocksOf(message).map(reasoningBlock),
            ...textBlocks(message.content ?? ''),
            ...(message.tool_calls ?? []).map((call, j) => toolUse(call, `${param}.tool_calls[${j}]`)),
          ],
        ];
        break;
      case 'tool':
        [role, content] = ['user', [{ toolResult: { toolUseId: message.tool_call_id, content: [{ text: plainText(message.content) }] } }]];
        break;
      default:
        throw invalidRequest(`Unsupported message role '${(message as { role: string }).role}'.`, `${param}.role`);
    }
    const last = out[out.length - 1];
    if (last && last.role === role) last.content = [...(last.content ?? []), ...content];
    else out.push({ role, content });
  });
  return { system, messages: out };
}

/** A thinking block handed back by the client as Converse reasoning content. */
function reasoningBlock(block: ThinkingBlock): ContentBlock {
  if (block.type === 'redacted_thinking') return { reasoningContent: { redactedContent: new Uint8Array(Buffer.from(block.data, 'base64')) } };
  return { reasoningContent: { reasoningText: { text: block.thinking, signature: block.signature } } };
}

/**
 * Whether the conversation continues a tool loop whose assistant turn starts with no reasoning:
 * Claude then rejects thinking, so the request leaves it off for this turn.
 */
export function continuesToolLoopWithoutReasoning(messages: readonly Message[]): boolean {
  const last = messages[messages.length - 1];
  const assistant = messages[messages.length - 2];
  if (!last || !assistant || last.role !== 'user' || !last.content?.some((block) => block.toolResult !== undefined)) return false;
  return assistant.content?.[0]?.reasoningContent === undefined;
}

/** Text content as Converse text blocks; empty text is left out because Converse rejects blank blocks. */
function textBlocks(content: string | TextContentPart[]): ContentBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  return content.flatMap((part) => withCachePoint(part, part.text === '' ? [] : [{ text: part.text }]));
}

function userContent(content: string | ContentPart[], param: string): ContentBlock[] {
  if (typeof content === 'string') return [{ text: content }];
  return content.flatMap((part, j) => {
    const partParam = `${param}.content[${j}]`;
    if (part.type === 'text') return withCachePoint(part, [{ text: (part as TextContentPart).text }]);
    if (part.type === 'image_url') return [imageBlock(String((part as { image_url?: { url?: unknown } }).image_url?.url ?? ''), `${partParam}.image_url`)];
    throw invalidRequest(`Content part type '${part.type}' is not supported by Bedrock.`, `${partParam}.type`);
  });
}

function withCachePoint(part: ContentPart, blocks: ContentBlock[]): ContentBlock[] {
  const cache = (part as TextContentPart).cache_control;
  if (!cache) return blocks;
  return [...blocks, { cachePoint: cache.ttl === '1h' || cache.ttl === '5m' ? { type: 'default', ttl: cache.ttl } : { type: 'default' } }];
}

/**
 * Converse takes image bytes (or an S3 object), not URLs: data URLs are decoded here; `s3://`
 * URLs pass as an S3 location; `http(s)` URLs are refused rather than fetched by the gateway.
 */
function imageBlock(url: string, param: string): ContentBlock {
  if (url.startsWith('s3://')) {
    const format = IMAGE_FORMATS[`image/${url.slice(url.lastIndexOf('.') + 1).toLowerCase()}`];
    if (!format) throw invalidRequest('An s3:// image URL must end in .png, .jpeg, .jpg, .gif or .webp.', param);
    return { image: { format, source: { s3Location: { uri: url } } } };
  }
  const data = parseDataUrl(url);
  if (!data) {
    throw invalidRequest('Bedrock accepts images only as base64 data URLs (data:image/png;base64,…) or s3:// URLs; download the image and send it as a data URL.', param);
  }
  const format = IMAGE_FORMATS[data.mediaType.toLowerCase()];
  if (!format) throw invalidRequest(`Image type '${data.mediaType}' is not supported by Bedrock (png, jpeg, gif, webp).`, param);
  return { image: { format, source: { bytes: new Uint8Array(Buffer.from(data.base64, 'base64')) } } };
}

function toolUse(call: ToolCall, param: string): ContentBlock {
  const input = parseToolArguments(call.function.arguments, `${param}.function.arguments`);
  return { toolUse: { toolUseId: call.id, name: call.function.name, input: input as Record<string, never> } };
}

function plainText(content: string | TextContentPart[]): string {
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}
