import { invalidRequest } from '../../core/errors';
import type { ChatMessage, ContentPart, ToolCall } from '../../core/openai/types';
import type { GeminiContent, GeminiPart } from './wire';
import { parseDataUrl } from '../shared/data-url';
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
 * Translates OpenAI messages into Gemini `contents`: user → `user`, assistant → `model` (tool
 * calls as `functionCall` parts), tool results → `functionResponse` parts in a `user` turn (the
 * function name looked up from the earlier call's id). Consecutive turns of the same role are
 * merged, so the results of parallel calls share one turn as Gemini requires.
 */
export function toGeminiConversation(messages: ChatMessage[], model: string): GeminiConversation {
  const contents: GeminiContent[] = [];
  const systemTexts: string[] = [];
  const callNames = new Map<string, string>();
  const needsSignature = NEEDS_SIGNATURE.test(model);
  messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        systemTexts.push(textOf(message.content, param));
        return;
      case 'user':
        push(contents, 'user', userParts(message.content, param));
        return;
      case 'assistant': {
        const parts: GeminiPart[] = [];
        const text = message.content == null ? '' : textOf(message.content, param);
        if (text !== '') parts.push({ text });
        (message.tool_calls ?? []).forEach((call, j) => {
          callNames.set(call.id, call.function.name);
          const part = functionCallPart(call, `${param}.tool_calls[${j}]`);
          // Only the first call of a step carries a signature (parallel calls share it).
          if (part.thoughtSignature === undefined && j === 0 && needsSignature) part.thoughtSignature = SKIP_THOUGHT_SIGNATURE;
          parts.push(part);
        });
        if (parts.length > 0) push(contents, 'model', parts);
        return;
      }
      case 'tool': {
        const name = callNames.get(message.tool_call_id);
        if (name === undefined) {
          throw invalidRequest(`No earlier assistant tool call has the id '${message.tool_call_id}'.`, `${param}.tool_call_id`);
        }
        push(contents, 'user', [{ functionResponse: { name, response: toolResponse(textOf(message.content, param)) } }]);
        return;
      }
      default:
        throw invalidRequest(`Unsupported message role '${(message as { role: string }).role}'.`, `${param}.role`);
    }
  });
  return { contents, systemTexts };
}

function push(contents: GeminiContent[], role: 'user' | 'model', parts: GeminiPart[]): void {
  const last = contents[contents.length - 1];
  if (last?.role === role) last.parts = [...(last.parts ?? []), ...parts];
  else contents.push({ role, parts });
}

function textOf(content: string | Array<{ type: string; text?: unknown }>, param: string): string {
  if (typeof content === 'string') return content;
  return content
    .map((part, j) => {
      if (part.type !== 'text' || typeof part.text !== 'string') {
        throw invalidRequest(`Only text content parts are allowed here, got '${part.type}'.`, `${param}.content[${j}].type`);
      }
      return part.text;
    })
    .join('\n');
}

function userParts(content: string | ContentPart[], param: string): GeminiPart[] {
  if (typeof content === 'string') return [{ text: content }];
  return content.map((part, j) => contentPart(part, `${param}.content[${j}]`));
}

function contentPart(part: ContentPart, param: string): GeminiPart {
  const p = part as Record<string, unknown>;
  switch (part.type) {
    case 'text':
      return { text: String(p.text ?? '') };
    case 'image_url':
      return mediaPart(String((p.image_url as { url?: unknown } | undefined)?.url ?? ''), `${param}.image_url.url`);
    case 'input_audio': {
      const audio = p.input_audio as { data?: unknown; format?: unknown } | undefined;
      return { inlineData: { mimeType: `audio/${String(audio?.format ?? 'wav')}`, data: String(audio?.data ?? '') } };
    }
    case 'file': {
      const fileData = (p.file as { file_data?: unknown } | undefined)?.file_data;
      if (typeof fileData !== 'string') throw invalidRequest('Gemini accepts files only as `file_data` data URLs.', `${param}.file`);
      return mediaPart(fileData, `${param}.file.file_data`);
    }
    default:
      throw invalidRequest(`Content part type '${part.type}' is not supported by Gemini.`, `${param}.type`);
  }
}

/**
 * A `data:` URL becomes `inlineData`; an `http(s)` URL becomes `fileData` with the MIME type
 * guessed from the file extension (JPEG when unknown): Gemini fetches the URL itself.
 */
function mediaPart(url: string, param: string): GeminiPart {
  const data = parseDataUrl(url);
  if (data) return { inlineData: { mimeType: data.mediaType, data: data.base64 } };
  if (/^https?:\/\//i.test(url)) {
    const path = url.split(/[?#]/, 1)[0] ?? '';
    const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
    return { fileData: { mimeType: IMAGE_TYPES[extension] ?? 'image/jpeg', fileUri: url } };
  }
  throw invalidRequest('Images must be base64 `data:` URLs or http(s) URLs.', param);
}

function functionCallPart(call: ToolCall, param: string): GeminiPart {
  const args = parseToolArguments(call.function.arguments, `${param}.function.arguments`);
  const part: GeminiPart = { functionCall: { name: call.function.name, args } };
  const signature = (call as { extra_content?: { google?: { thought_signature?: unknown } } }).extra_content?.google?.thought_signature;
  if (typeof signature === 'string') part.thoughtSignature = signature;
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
