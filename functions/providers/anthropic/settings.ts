import { z } from 'zod';
import { commonProviderFields } from '../../core/config/provider-fields';
import { anthropicBetasSchema } from '../shared/anthropic-betas';

/** Settings of an `anthropic` provider. */
export const anthropicSettingsSchema = z.strictObject({
  type: z.literal('anthropic'),
  ...commonProviderFields,
  anthropicVersion: z.string().optional().describe('`anthropic-version` header (default 2023-06-01).'),
  betas: anthropicBetasSchema.optional().describe('Which of the `anthropic-beta` values a Messages client sends are forwarded to Anthropic (default: all).'),
});

/** Validated `anthropic` provider settings. */
export type AnthropicSettings = z.output<typeof anthropicSettingsSchema>;
