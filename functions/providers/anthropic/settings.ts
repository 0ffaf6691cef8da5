import { z } from 'zod';
import { commonProviderFields } from '../../core/config/provider-fields';

/** Settings of an `anthropic` provider. */
export const anthropicSettingsSchema = z.strictObject({
  type: z.literal('anthropic'),
  ...commonProviderFields,
  anthropicVersion: z.string().optional().describe('`anthropic-version` header (default 2023-06-01).'),
});

/** Validated `anthropic` provider settings. */
export type AnthropicSettings = z.output<typeof anthropicSettingsSchema>;
