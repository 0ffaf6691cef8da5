import { createHttpProvider } from '../http-provider';
import type { ProviderAdapter } from '../../core/ports/provider';
import type { AnthropicSettings } from './settings';
import { parseAnthropicError } from './errors';
import { claudeMaxOutputTokens } from './models';
import { buildAnthropicRequest } from './request';
import { parseAnthropicCompletion } from './response';
import { AnthropicStreamTranslator } from './stream';

/**
 * The `anthropic` provider: OpenAI Chat Completions over Anthropic's Messages API
 * (`POST {baseUrl}/v1/messages`, `x-api-key`, `anthropic-version`), streaming and not.
 */
export const anthropicProvider: ProviderAdapter<AnthropicSettings> = createHttpProvider<AnthropicSettings>({
  type: 'anthropic',
  requiresApiKey: true,
  buildChatRequest: buildAnthropicRequest,
  parseCompletion: parseAnthropicCompletion,
  createStreamTranslator: (call, ctx) => new AnthropicStreamTranslator(call, ctx),
  parseError: parseAnthropicError,
  maxOutputTokens: claudeMaxOutputTokens,
});
