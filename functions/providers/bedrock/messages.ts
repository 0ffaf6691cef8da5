import type { ContentBlock, ConversationRole, ImageFormat, Message, SystemContentBlock } from '@aws-sdk/client-bedrock-runtime';
import { invalidRequest } from '../../core/errors';
import type { CacheHint, ImagePart, Message as CanonicalMessage, ReasoningPart, TextPart, ToolCallPart, UserPart } from '../../core/model/request';
import { parseToolArguments } from '../shared/tool-arguments';

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
 * Translates the canonical conversation into Converse `system` blocks and `messages`.
 *
 * Converse requires user and assistant turns to alternate, so consecutive messages of the same
 * Converse role are merged into one message; tool results become `toolResult` blocks of a user
 * message (merged with the user text that may follow them). A cache hint on a text part or a tool
 * result becomes a `cachePoint` block right after it, which is how Converse marks a prompt-cache
 * prefix; with `cachePoints` off (a model Bedrock refuses them for) hints are left out.
 */
export function translateMessages(messages: readonly CanonicalMessage[], { cachePoints }: { cachePoints: boolean }): ConverseConversation {
  const withCachePoint = cachePoints ? cachePointAfter : (_part: Hinted, blocks: ContentBlock[]) => blocks;
  // Empty text is left out: Converse rejects blank blocks.
  const textBlocks = (parts: readonly TextPart[]): ContentBlock[] => parts.flatMap((part) => withCachePoint(part, part.text === '' ? [] : [{ text: part.text }]));
  const userBlock = (part: UserPart): ContentBlock[] => (part.type === 'text' ? withCachePoint(part, [{ text: part.text }]) : otherUserBlock(part));
  const system: SystemContentBlock[] = [];
  const out: Message[] = [];
  for (const message of messages) {
    let role: ConversationRole;
    let content: ContentBlock[];
    switch (message.role) {
      case 'system':
        system.push(...(textBlocks(message.content) as SystemContentBlock[]));
        continue;
      case 'user':
        [role, content] = ['user', message.content.flatMap(userBlock)];
        break;
      case 'assistant':
        [role, content] = [
          'assistant',
          [
            // Claude's signed reasoning first, as it requires when a tool loop continues with thinking on.
            ...message.content.flatMap((part) => (part.type === 'reasoning' ? reasoningBlock(part) : [])),
            ...textBlocks(message.content.filter((part): part is TextPart => part.type === 'text')),
            ...message.content.filter((part): part is ToolCallPart => part.type === 'tool_call').map(toolUse),
          ],
        ];
        break;
      case 'tool': {
        const [result] = message.content;
        const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
        [role, content] = ['user', withCachePoint(result, [{ toolResult: { toolUseId: result.toolCallId, content: [{ text }] } }])];
        break;
      }
    }
    const last = out[out.length - 1];
    if (last && last.role === role) last.content = [...(last.content ?? []), ...content];
    else out.push({ role, content });
  }
  return { system, messages: out };
}

/** Claude's own reasoning handed back as Converse reasoning content; other reasoning is not replayed. */
function reasoningBlock(part: ReasoningPart): ContentBlock[] {
  if (part.state?.format === 'anthropic-redacted') return [{ reasoningContent: { redactedContent: new Uint8Array(Buffer.from(part.state.data, 'base64')) } }];
  if (part.state?.format === 'anthropic') return [{ reasoningContent: { reasoningText: { text: part.text, signature: part.state.signature } } }];
  return [];
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

/** A user part other than text as Converse blocks. */
function otherUserBlock(part: Exclude<UserPart, TextPart>): ContentBlock[] {
  switch (part.type) {
    case 'image':
      return [imageBlock(part)];
    default: {
      const wireType = part.type === 'opaque' ? part.wireType : part.type === 'document' ? 'file' : 'input_audio';
      throw invalidRequest(`Content part type '${wireType}' is not supported by Bedrock.`, part.source ? `${part.source}.type` : null);
    }
  }
}

/** A part that may carry a cache hint. */
type Hinted = { cache?: CacheHint };

function cachePointAfter(part: Hinted, blocks: ContentBlock[]): ContentBlock[] {
  const cache = part.cache;
  if (!cache) return blocks;
  return [...blocks, { cachePoint: cache.ttl === '1h' || cache.ttl === '5m' ? { type: 'default', ttl: cache.ttl } : { type: 'default' } }];
}

/**
 * Converse takes image bytes (or an S3 object), not URLs: data URLs are decoded here; `s3://`
 * URLs pass as an S3 location; `http(s)` URLs are refused rather than fetched by the gateway.
 */
function imageBlock(part: ImagePart): ContentBlock {
  const param = part.source ? `${part.source}.image_url` : null;
  const { media } = part;
  if (media.kind === 'url' && media.url.startsWith('s3://')) {
    const url = media.url;
    const format = IMAGE_FORMATS[`image/${url.slice(url.lastIndexOf('.') + 1).toLowerCase()}`];
    if (!format) throw invalidRequest('An s3:// image URL must end in .png, .jpeg, .jpg, .gif or .webp.', param);
    return { image: { format, source: { s3Location: { uri: url } } } };
  }
  if (media.kind !== 'base64') {
    throw invalidRequest('Bedrock accepts images only as base64 data URLs (data:image/png;base64,…) or s3:// URLs; download the image and send it as a data URL.', param);
  }
  const format = IMAGE_FORMATS[media.mediaType.toLowerCase()];
  if (!format) throw invalidRequest(`Image type '${media.mediaType}' is not supported by Bedrock (png, jpeg, gif, webp).`, param);
  return { image: { format, source: { bytes: new Uint8Array(Buffer.from(media.data, 'base64')) } } };
}

function toolUse(call: ToolCallPart): ContentBlock {
  const input = parseToolArguments(call.arguments, call.source ? `${call.source}.function.arguments` : 'arguments');
  return { toolUse: { toolUseId: call.id, name: call.name, input: input as Record<string, never> } };
}
