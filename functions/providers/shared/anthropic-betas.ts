/**
 * The `betas` setting of a provider that serves Claude natively (Anthropic, Bedrock): which of
 * the `anthropic-beta` values a Messages client sends reach it (DESIGN §2). Its schema is in
 * `anthropic/settings.ts`: this module runs on every request and stays free of zod, which the
 * Lambda bundle would otherwise carry whole.
 */
export interface AnthropicBetasFilter {
  allow?: string[] | undefined;
  deny?: string[] | undefined;
}

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
