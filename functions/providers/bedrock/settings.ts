import { z } from 'zod';
import { commonProviderFields } from '../../core/config/provider-fields';

/** Settings of a `bedrock` provider (credentials from the AWS chain; no API key). */
export const bedrockSettingsSchema = z.strictObject({
  type: z.literal('bedrock'),
  ...commonProviderFields,
  region: z.string().min(1).optional().describe('AWS region of Bedrock runtime (default: the function region).'),
});

/** Validated `bedrock` provider settings. */
export type BedrockSettings = z.output<typeof bedrockSettingsSchema>;
