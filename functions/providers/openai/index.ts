import type { ChatCompletion, EmbeddingResponse } from '../../core/openai/types';
import { createHttpProvider, readJson, sendUpstream } from '../http-provider';
import type { ProviderAdapter } from '../../core/ports/provider';
import type { OpenAiSettings } from './settings';
import { parseOpenAiError } from './errors';
import { openAiMaxOutputTokens } from './limits';
import { buildChatRequest, buildEmbeddingRequest } from './request';
import { createOpenAiStreamTranslator } from './stream';

/**
 * OpenAI and every OpenAI-compatible server (vLLM, Ollama, LM Studio, Azure OpenAI, …).
 * Requests and responses pass through nearly untouched; the core normalises chunks.
 */
export const openaiProvider: ProviderAdapter<OpenAiSettings> = createHttpProvider<OpenAiSettings>(
  {
    type: 'openai',
    requiresApiKey: false,
    buildChatRequest,
    parseCompletion: (json) => json as ChatCompletion,
    createStreamTranslator: (_call, ctx) => createOpenAiStreamTranslator(ctx.providerName),
    parseError: parseOpenAiError,
    maxOutputTokens: openAiMaxOutputTokens,
  },
  {
    async embeddings(call, ctx): Promise<EmbeddingResponse> {
      const response = await sendUpstream(ctx, buildEmbeddingRequest(call, ctx), parseOpenAiError);
      return (await readJson(response, ctx)) as EmbeddingResponse;
    },
  },
);
