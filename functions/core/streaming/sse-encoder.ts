import type { ErrorBody } from '../errors';
import type { ChatCompletionChunk } from '../protocols/openai-chat/types';

const encoder = new TextEncoder();

/** `data: [DONE]` — the end marker of a successful OpenAI stream. */
export const SSE_DONE = encoder.encode('data: [DONE]\n\n');

/** An SSE comment, ignored by clients; keeps idle connections (API Gateway, proxies) open. */
export const SSE_HEARTBEAT = encoder.encode(': ping\n\n');

/** Encodes one chunk as an SSE `data:` event. */
export function encodeChunk(chunk: ChatCompletionChunk): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`);
}

/**
 * Encodes a mid-stream failure. No `event:` name: the OpenAI SDKs raise an APIError only for a
 * `data:` line whose JSON has an `error` key (DESIGN §9).
 */
export function encodeError(body: ErrorBody): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(body)}\n\n`);
}
