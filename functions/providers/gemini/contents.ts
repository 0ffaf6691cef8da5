import { invalidRequest } from '../../core/errors';
import type { MediaSource, Message, TextPart, ToolCallPart, UserPart } from '../../core/model/request';
import type { GeminiContent, GeminiPart } from './wire';
import { parseToolArguments } from '../shared/tool-arguments';

/** The conversation in Gemini's shape. */
export interface GeminiConversation {
  contents: GeminiContent[];
  /** Text of all system/developer messages, in order; Gemini has one system instruction. */
  systemTexts: string[];
}

/**
 * A thought signature that tells Gemini 3 to skip signature validation, documented by Google for
 * function calls that did not come from Gemini (or whose signature the client did not keep).
 * Without it, Gemini 3 answers 400 to a follow-up turn whose function calls lack a signature.
 */
const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

/** Models that reject function-call turns without a thought signature (Gemini 3 and later). */
const NEEDS_SIGNATURE = /^(?:models\/)?gemini-(?:[3-9]|\d\d)/;

const IMAGE_TYPES: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', heic: 'image/heic', heif: 'image/heif',
};

/**
 * Translates the canonical conversation into Gemini `contents`: user → `user`, assistant →
 * `model` (tool calls as `functionCall` parts; reasoning is Gemini's own business and not
 * replayed), tool results → `functionResponse` parts in a `user` turn (the function name looked up
 * from the earlier call's id). Consecutive turns of the same role are merged, so the results of
 * parallel calls share one turn as Gemini requires.
 */
export function toGeminiConversation(messages: readonly Message[], model: string): GeminiConversation {
  const contents: GeminiContent[] = [];
  const systemTexts: string[] = [];
  const callNames = new Map<string, string>();
  const needsSignature = NEEDS_SIGNATURE.test(model);
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        systemTexts.push(textOf(message.content));
        break;
      case 'user':
        push(contents, 'user', message.content.map(contentPart));
        break;
      case 'assistant': {
        const parts: GeminiPart[] = [];
        const text = textOf(message.content.filter((part): part is TextPart => part.type === 'text'));
        if (text !== '') parts.push({ text });
        message.content
          .filter((part): part is ToolCallPart => part.type === 'tool_call')
          .forEach((call, j) => {
            callNames.set(call.id, call.name);
            const part = functionCallPart(call);
            // Only the first call of a step carries a signature (parallel calls share it).
            if (part.thoughtSignature === undefined && j === 0 && needsSignature) part.thoughtSignature = SKIP_THOUGHT_SIGNATURE;
            parts.push(part);
          });
        if (parts.length > 0) push(contents, 'model', parts);
        break;
      }
      case 'tool': {
        const [result] = message.content;
        const name = callNames.get(result.toolCallId);
        if (name === undefined) {
          throw invalidRequest(`No earlier assistant tool call has the id '${result.toolCallId}'.`, message.source ? `${message.source}.tool_call_id` : null);
        }
        const text = textOf(result.content.filter((part): part is TextPart => part.type === 'text'));
        push(contents, 'user', [{ functionResponse: { name, response: toolResponse(text) } }]);
        break;
      }
    }
  }
  return { contents, systemTexts };
}

function push(contents: GeminiContent[], role: 'user' | 'model', parts: GeminiPart[]): void {
  const last = contents[contents.length - 1];
  if (last?.role === role) last.parts = [...(last.parts ?? []), ...parts];
  else contents.push({ role, parts });
}

function textOf(parts: readonly TextPart[]): string {
  return parts.map((part) => part.text).join('\n');
}

function contentPart(part: UserPart): GeminiPart {
  switch (part.type) {
    case 'text':
      return { text: part.text };
    case 'image':
      return mediaPart(part.media, part.source ? `${part.source}.image_url.url` : null);
    case 'audio':
      return { inlineData: { mimeType: `audio/${part.format}`, data: part.data } };
    case 'document':
      return mediaPart(part.media, part.source ? `${part.source}.file.file_data` : null);
    case 'opaque':
      if (part.wireType === 'file') throw invalidRequest('Gemini accepts files only as `file_data` data URLs.', part.source ? `${part.source}.file` : null);
      throw invalidRequest(`Content part type '${part.wireType}' is not supported by Gemini.`, part.source ? `${part.source}.type` : null);
  }
}

/**
 * Inline bytes become `inlineData`; an `http(s)` URL becomes `fileData` with the MIME type
 * guessed from the file extension (JPEG when unknown): Gemini fetches the URL itself.
 */
function mediaPart(media: MediaSource, param: string | null): GeminiPart {
  if (media.kind === 'base64') return { inlineData: { mimeType: media.mediaType, data: media.data } };
  if (/^https?:\/\//i.test(media.url)) {
    const path = media.url.split(/[?#]/, 1)[0] ?? '';
    const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
    return { fileData: { mimeType: IMAGE_TYPES[extension] ?? 'image/jpeg', fileUri: media.url } };
  }
  throw invalidRequest('Images must be base64 `data:` URLs or http(s) URLs.', param);
}

function functionCallPart(call: ToolCallPart): GeminiPart {
  const args = parseToolArguments(call.arguments, call.source ? `${call.source}.function.arguments` : 'arguments');
  const part: GeminiPart = { functionCall: { name: call.name, args } };
  if (call.thoughtSignature !== undefined) part.thoughtSignature = call.thoughtSignature;
  return part;
}

/**
 * Gemini wants a JSON object as the function response. A result that is a JSON object is sent as
 * is; anything else is wrapped as `{ output: text }`, the key Google documents for function output.
 */
function toolResponse(text: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Not JSON: plain text output.
  }
  return { output: text };
}
