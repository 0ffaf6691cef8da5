import type { OutputLimit } from '../../core/ports/provider';
/**
 * Maximum output tokens of Gemini models, from Google's model pages. Matched by the longest
 * prefix, so dated and preview variants (`gemini-2.5-flash-preview-05-20`) inherit their family's
 * limit. Thinking tokens count against this limit on Gemini 2.5 and later.
 */
const LIMITS: Array<[prefix: string, tokens: number]> = [
  ['gemini-3', 65536],
  ['gemini-2.5-flash-image', 32768],
  ['gemini-2.5', 65536],
  ['gemini-2.0-flash-thinking', 65536],
  ['gemini-2.0', 8192],
  ['gemini-1.5', 8192],
].sort((a, b) => (b[0] as string).length - (a[0] as string).length) as Array<[string, number]>;

/** The limit for models not in the table: every current Gemini text model allows at least this. */
const DEFAULT_MAX_OUTPUT_TOKENS = 8192;

/** The output token limit of a Gemini model (with or without the `models/` prefix). */
export function geminiMaxOutputTokens(model: string): OutputLimit {
  const name = model.replace(/^models\//, '');
  const limit = LIMITS.find(([prefix]) => name.startsWith(prefix))?.[1];
  return limit === undefined ? { tokens: DEFAULT_MAX_OUTPUT_TOKENS, documented: false } : { tokens: limit, documented: true };
}
