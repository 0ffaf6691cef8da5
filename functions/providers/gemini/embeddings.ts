import { invalidRequest } from '../../core/errors';
import { floatsToBase64 } from '../../core/protocols/openai-chat/embedding-encoding';
import type { Embedding, EmbeddingResponse } from '../../core/protocols/openai-chat/types';
import { readJson, sendUpstream } from '../http-provider';
import type { CallContext, EmbeddingCall } from '../../core/ports/provider';
import { parseGeminiError } from './errors';
import { modelUrl } from './request';
import type { GeminiSettings } from './settings';

/** The body of `models/{model}:batchEmbedContents`. */
interface BatchEmbedRequest {
  requests: Array<{ model: string; content: { parts: Array<{ text: string }> }; outputDimensionality?: number }>;
}

/** Its answer: one vector per request, in order. Gemini reports no token usage for embeddings. */
interface BatchEmbedResponse {
  embeddings?: Array<{ values?: number[] }>;
}

const encoder = new TextEncoder();

/**
 * OpenAI embeddings through Gemini's `batchEmbedContents`: one request entry per input string,
 * `dimensions` as `outputDimensionality`. With `encoding_format: "base64"` (the OpenAI SDK's
 * default) each vector is returned as base64 of little-endian float32, as OpenAI does.
 *
 * Gemini returns no usage for embeddings, so `prompt_tokens` is an estimate: one token per four
 * UTF-8 bytes of input, rounded up per input (the usual rule of thumb for English text; it errs
 * high for code and low for CJK text).
 */
export async function geminiEmbeddings(call: EmbeddingCall, ctx: CallContext<GeminiSettings>): Promise<EmbeddingResponse> {
  const inputs = textInputs(call.request.input);
  const model = call.model.includes('/') ? call.model : `models/${call.model}`;
  const body: BatchEmbedRequest = {
    requests: inputs.map((text) => {
      const entry: BatchEmbedRequest['requests'][number] = { model, content: { parts: [{ text }] } };
      if (call.request.dimensions !== undefined) entry.outputDimensionality = call.request.dimensions;
      return entry;
    }),
  };
  const headers: Record<string, string> = {};
  if (ctx.apiKey !== undefined) headers['x-goog-api-key'] = ctx.apiKey;
  const response = await sendUpstream(ctx, { url: modelUrl(ctx.settings.baseUrl, call.model, 'batchEmbedContents'), headers, body }, parseGeminiError);
  const json = (await readJson(response, ctx)) as BatchEmbedResponse;
  const base64 = call.request.encoding_format === 'base64';
  const data: Embedding[] = (json.embeddings ?? []).map((embedding, index) => {
    const values = embedding.values ?? [];
    return { object: 'embedding', index, embedding: base64 ? floatsToBase64(values) : values };
  });
  const promptTokens = inputs.reduce((sum, text) => sum + Math.ceil(encoder.encode(text).length / 4), 0);
  return { object: 'list', data, model: call.model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } };
}

/** Gemini embeds text only; token-id inputs (`number[]`) cannot be sent. */
function textInputs(input: EmbeddingCall['request']['input']): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((item): item is string => typeof item === 'string')) return input;
  throw invalidRequest('Gemini embeddings accept only a string or an array of strings.', 'input');
}
