import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { invalidRequest } from '../../core/errors';
import { floatsToBase64 } from '../../core/protocols/openai-chat/embedding-encoding';
import type { Embedding, EmbeddingResponse } from '../../core/protocols/openai-chat/types';
import type { CallContext, EmbeddingCall } from '../../core/ports/provider';
import { mapBedrockError } from './errors';
import { loadBedrockSdk } from './sdk';
import type { BedrockSettings } from './settings';

/** Vectors of the inputs, in order, and the input tokens they cost. */
interface EmbeddedBatch {
  vectors: number[][];
  tokens: number;
}

/** Titan embeds one text per call; this many calls run at once (above it, Bedrock throttles). */
const TITAN_CONCURRENCY = 8;
/** Cohere's limit of texts per call. */
const COHERE_BATCH = 96;
const TOKEN_COUNT_HEADER = 'x-amzn-bedrock-input-token-count';

/**
 * Embeddings through InvokeModel for Titan text (`amazon.titan-embed-text-*`, one call per input,
 * `inputTextTokenCount` usage) and Cohere (`cohere.embed-*`, batched `texts` with
 * `input_type: 'search_document'`, usage from Bedrock's token-count header). Vectors come back as
 * floats, or as base64 little-endian float32 when `encoding_format` is `base64` (what the OpenAI
 * SDK asks for by default).
 */
export async function bedrockEmbeddings(client: BedrockRuntimeClient, call: EmbeddingCall, ctx: CallContext<BedrockSettings>): Promise<EmbeddingResponse> {
  const inputs = textInputs(call.request.input);
  const dimensions = call.request.dimensions;
  const drop = ctx.settings.dropUnsupportedParams === true;
  let batch: EmbeddedBatch;
  if (/amazon\.titan-embed-text/.test(call.model)) {
    const v2 = /titan-embed-text-v2/.test(call.model);
    if (dimensions !== undefined && !v2 && !drop) throw invalidRequest(`Parameter 'dimensions' is not supported by '${call.model}'.`, 'dimensions');
    batch = await embedTitan(client, call.model, inputs, v2 ? dimensions : undefined, ctx);
  } else if (/cohere\.embed/.test(call.model)) {
    const v4 = /cohere\.embed-v4/.test(call.model);
    if (dimensions !== undefined && !v4 && !drop) throw invalidRequest(`Parameter 'dimensions' is not supported by '${call.model}'.`, 'dimensions');
    batch = await embedCohere(client, call.model, inputs, v4 ? dimensions : undefined, ctx);
  } else {
    throw invalidRequest(`Bedrock model '${call.model}' is not a supported embedding model (amazon.titan-embed-text-*, cohere.embed-*).`, 'model');
  }
  const base64 = call.request.encoding_format === 'base64';
  const data: Embedding[] = batch.vectors.map((vector, index) => ({ object: 'embedding', index, embedding: base64 ? floatsToBase64(vector) : vector }));
  return { object: 'list', data, model: call.model, usage: { prompt_tokens: batch.tokens, total_tokens: batch.tokens } };
}

function textInputs(input: EmbeddingCall['request']['input']): string[] {
  const inputs = typeof input === 'string' ? [input] : input;
  if (inputs.length === 0 || !inputs.every((item): item is string => typeof item === 'string')) {
    throw invalidRequest('Bedrock embeddings take a string or a non-empty array of strings (not token arrays).', 'input');
  }
  return inputs;
}

async function embedTitan(client: BedrockRuntimeClient, model: string, inputs: string[], dimensions: number | undefined, ctx: CallContext<BedrockSettings>): Promise<EmbeddedBatch> {
  const vectors: number[][] = new Array<number[]>(inputs.length);
  let tokens = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const i = next++;
      const { body } = await invoke(client, model, { inputText: inputs[i], ...(dimensions !== undefined ? { dimensions } : {}) }, ctx);
      const parsed = body as { embedding?: number[]; inputTextTokenCount?: number };
      vectors[i] = parsed.embedding ?? [];
      tokens += parsed.inputTextTokenCount ?? 0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(TITAN_CONCURRENCY, inputs.length) }, worker));
  return { vectors, tokens };
}

async function embedCohere(client: BedrockRuntimeClient, model: string, inputs: string[], dimensions: number | undefined, ctx: CallContext<BedrockSettings>): Promise<EmbeddedBatch> {
  const batches: Array<Promise<{ body: unknown; tokens: number | undefined }>> = [];
  for (let start = 0; start < inputs.length; start += COHERE_BATCH) {
    const texts = inputs.slice(start, start + COHERE_BATCH);
    batches.push(invoke(client, model, { texts, input_type: 'search_document', ...(dimensions !== undefined ? { output_dimension: dimensions } : {}) }, ctx));
  }
  const results = await Promise.all(batches);
  return {
    // v3 answers `embeddings: number[][]`, v4 `embeddings: { float: number[][] }`.
    vectors: results.flatMap(({ body }) => {
      const embeddings = (body as { embeddings?: number[][] | { float?: number[][] } }).embeddings;
      return Array.isArray(embeddings) ? embeddings : (embeddings?.float ?? []);
    }),
    tokens: results.reduce((sum, { tokens }) => sum + (tokens ?? 0), 0),
  };
}

/** One InvokeModel call: the parsed JSON body and Bedrock's input-token header. */
async function invoke(client: BedrockRuntimeClient, modelId: string, body: unknown, ctx: CallContext<BedrockSettings>): Promise<{ body: unknown; tokens: number | undefined }> {
  const { InvokeModelCommand } = await loadBedrockSdk();
  const command = new InvokeModelCommand({ modelId, contentType: 'application/json', accept: 'application/json', body: JSON.stringify(body) });
  let tokens: number | undefined;
  // InvokeModel does not model the token-count header, so read it off the raw response.
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const header = (result.response as { headers?: Record<string, string> }).headers?.[TOKEN_COUNT_HEADER];
      if (header !== undefined && Number.isFinite(Number(header))) tokens = Number(header);
      return result;
    },
    { step: 'deserialize', name: 'switchyardInputTokenCount' },
  );
  try {
    const response = await client.send(command, { abortSignal: ctx.signal });
    return { body: JSON.parse(response.body.transformToString()) as unknown, tokens };
  } catch (error) {
    throw mapBedrockError(error, ctx);
  }
}
