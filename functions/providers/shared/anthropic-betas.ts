import { z } from 'zod';

/**
 * The `betas` setting of a provider that serves Claude natively (Anthropic, Bedrock): which of
 * the `anthropic-beta` values a Messages client sends reach it (DESIGN §2).
 */
export const anthropicBetasSchema = z
  .strictObject({
    allow: z.array(z.string().min(1)).optional().describe('Only these `anthropic-beta` values reach this provider.'),
    deny: z.array(z.string().min(1)).optional().describe('These `anthropic-beta` values never reach this provider.'),
  })
  .describe('Which of the `anthropic-beta` values a Messages client sends are forwarded to this provider.');

/** A validated `betas` setting. */
export type AnthropicBetasFilter = z.output<typeof anthropicBetasSchema>;

/**
 * The client's `anthropic-beta` values (one comma-separated header) this provider may see: all
 * of them, or only those of `allow`, never those of `deny` (a beta the target does not know can
 * break a request). Empty when none is left.
 */
export function forwardedBetas(header: string | null | undefined, filter: AnthropicBetasFilter | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((beta) => beta.trim())
    .filter((beta) => beta !== '' && (!filter?.allow || filter.allow.includes(beta)) && !filter?.deny?.includes(beta));
}
