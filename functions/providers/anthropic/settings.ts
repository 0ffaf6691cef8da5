import { z } from 'zod';
import { commonProviderFields } from '../../core/config/provider-fields';

/**
 * The `betas` setting of a provider that serves Claude natively (Anthropic, Bedrock): which of
 * the `anthropic-beta` values a Messages client sends reach it (`shared/anthropic-betas.ts`).
 */
export const anthropicBetasSchema = z
  .strictObject({
    allow: z.array(z.string().min(1)).optional().describe('Only these `anthropic-beta` values reach this provider.'),
    deny: z.array(z.string().min(1)).optional().describe('These `anthropic-beta` values never reach this provider.'),
  })
  .describe('Which of the `anthropic-beta` values a Messages client sends are forwarded to this provider.');

/** Settings of an `anthropic` provider. */
export const anthropicSettingsSchema = z.strictObject({
  type: z.literal('anthropic'),
  ...commonProviderFields,
  anthropicVersion: z.string().optional().describe('`anthropic-version` header (default 2023-06-01).'),
  betas: anthropicBetasSchema.optional().describe('Which of the `anthropic-beta` values a Messages client sends are forwarded to Anthropic (default: all).'),
});

/** Validated `anthropic` provider settings. */
export type AnthropicSettings = z.output<typeof anthropicSettingsSchema>;
