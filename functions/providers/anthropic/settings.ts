import { z } from 'zod';
import { commonProviderFields } from '../../core/config/provider-fields';

/** Settings of an `anthropic` provider. */
export const anthropicSettingsSchema = z.strictObject({
  type: z.literal('anthropic'),
  ...commonProviderFields,
  anthropicVersion: z.string().optional().describe('`anthropic-version` header (default 2023-06-01).'),
  betas: z
    .strictObject({
      allow: z.array(z.string().min(1)).optional().describe('Only these `anthropic-beta` values reach this provider (default: all).'),
      deny: z.array(z.string().min(1)).optional().describe('These `anthropic-beta` values never reach this provider.'),
    })
    .optional()
    .describe('Which of the `anthropic-beta` values a Messages client sends are forwarded to this provider.'),
});

/** Validated `anthropic` provider settings. */
export type AnthropicSettings = z.output<typeof anthropicSettingsSchema>;
