import { createHttpProvider } from '../http-provider';
import type { ProviderAdapter } from '../../core/ports/provider';
import type { GeminiSettings } from './settings';
import { geminiEmbeddings } from './embeddings';
import { parseGeminiError } from './errors';
import { geminiMaxOutputTokens } from './limits';
import { buildGeminiRequest } from './request';
import { parseGeminiCompletion } from './response';
import { GeminiStreamTranslator } from './stream';

/**
 * The Google Gemini provider (Generative Language API, `x-goog-api-key`): chat through
 * `generateContent` / `streamGenerateContent?alt=sse`, embeddings through `batchEmbedContents`.
 */
export const geminiProvider: ProviderAdapter<GeminiSettings> = createHttpProvider<GeminiSettings>(
  {
    type: 'gemini',
    requiresApiKey: true,
    buildChatRequest: buildGeminiRequest,
    parseCompletion: parseGeminiCompletion,
    createStreamTranslator: (_call, ctx) => new GeminiStreamTranslator(ctx),
    parseError: parseGeminiError,
    maxOutputTokens: geminiMaxOutputTokens,
  },
  { embeddings: geminiEmbeddings },
);
