import { z } from 'zod';
import { commonProviderFields } from '../../core/config/provider-fields';
import { anthropicBetasSchema } from '../anthropic/settings';

/** Settings of a `bedrock` provider (credentials from the AWS chain; no API key). */
export const bedrockSettingsSchema = z.strictObject({
  type: z.literal('bedrock'),
  ...commonProviderFields,
  region: z.string().min(1).optional().describe('AWS region of Bedrock runtime (default: the function region).'),
  claudeApi: z
    .enum(['invoke', 'converse'])
    .optional()
    .describe('How Claude models are called: `invoke` (default) sends Anthropic\'s own Messages body through InvokeModel, so thinking, tools, cache hints and betas behave as on Anthropic; `converse` uses the Converse API like other models.'),
  betas: anthropicBetasSchema
    .optional()
    .describe('Which of the `anthropic-beta` values a Messages client sends reach Claude on Bedrock (as `anthropic_beta`); default: the betas Bedrock documents for Claude, since it refuses others.'),
});

/** Validated `bedrock` provider settings. */
export type BedrockSettings = z.output<typeof bedrockSettingsSchema>;
