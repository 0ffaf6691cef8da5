import { z } from 'zod';
import { commonProviderFields } from '../../core/config/provider-fields';

/** Settings of an `openai` provider: OpenAI, Azure OpenAI and any OpenAI-compatible server. */
export const openaiSettingsSchema = z.strictObject({
  type: z.literal('openai'),
  ...commonProviderFields,
  azure: z
    .strictObject({
      apiVersion: z.string().min(1).describe('Azure OpenAI `api-version` query parameter.'),
    })
    .optional()
    .describe('Azure OpenAI: `api-key` header and `/openai/deployments/<model>/…` URLs under baseUrl.'),
  responsesApi: z
    .boolean()
    .optional()
    .describe('Whether the server speaks the Responses API, so Responses clients pass through natively (default: yes for api.openai.com and Azure OpenAI, no for other base URLs, which get Chat Completions).'),
});

/** Validated `openai` provider settings. */
export type OpenAiSettings = z.output<typeof openaiSettingsSchema>;
