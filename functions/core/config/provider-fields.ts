import { z } from 'zod';
import { forwardHeadersSchema } from './hardening-schema';

const url = z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL');

/**
 * The settings every provider type accepts (DESIGN §3). Each provider's own schema (in its folder,
 * `settings.ts`) spreads these beside its `type` literal and its own fields.
 */
export const commonProviderFields = {
  baseUrl: url.optional().describe('Endpoint override in the form of the provider SDK (DESIGN §3).'),
  apiKeySecret: z
    .string()
    .min(1)
    .optional()
    .describe('Secret name: Secrets Manager `switchyard/<stage>-<suffix>/NAME` on AWS (stack output ProviderSecret<NAME>), env `SWITCHYARD_SECRET_NAME` locally.'),
  headers: z.record(z.string(), z.string()).optional().describe('Static headers added to every upstream call.'),
  dropUnsupportedParams: z.boolean().optional().describe('Drop parameters the provider cannot honour instead of answering 400.'),
  forwardHeaders: forwardHeadersSchema.optional(),
};

