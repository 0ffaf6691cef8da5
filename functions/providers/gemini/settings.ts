import { z } from 'zod';
import { commonProviderFields } from '../../core/config/provider-fields';

/** Settings of a `gemini` provider (the Gemini API; `baseUrl` is the host root). */
export const geminiSettingsSchema = z.strictObject({
  type: z.literal('gemini'),
  ...commonProviderFields,
});

/** Validated `gemini` provider settings. */
export type GeminiSettings = z.output<typeof geminiSettingsSchema>;
