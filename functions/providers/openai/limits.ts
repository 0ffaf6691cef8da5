import type { OutputLimit } from '../../core/ports/provider';
/** Output token limits of OpenAI models (prefix match, longest first). */
const OUTPUT_LIMITS: Array<[string, number]> = [
  ['gpt-4o-mini', 16384],
  ['gpt-4o', 16384],
  ['gpt-4.1', 32768],
  ['gpt-5', 128000],
  ['o4-mini', 100000],
  ['o3', 100000],
  ['o1', 100000],
  ['gpt-4-turbo', 4096],
  ['gpt-3.5-turbo', 4096],
];

/** Used for unknown (often self-hosted) models; set `maxOutputTokens` on the target to change it. */
const DEFAULT_OUTPUT_LIMIT = 4096;

/** The output token limit of an OpenAI(-compatible) model. */
export function openAiMaxOutputTokens(model: string): OutputLimit {
  for (const [prefix, limit] of OUTPUT_LIMITS) if (model.startsWith(prefix)) return { tokens: limit, documented: true };
  return { tokens: DEFAULT_OUTPUT_LIMIT, documented: false };
}
