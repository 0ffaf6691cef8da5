import type { OutputLimit } from '../../core/ports/provider';
/**
 * Maximum output tokens of Claude models (Anthropic "Models overview" table), longest prefix
 * first so `claude-sonnet-4-5-20250929` matches `claude-sonnet-4-5` before `claude-sonnet-4`.
 */
const OUTPUT_LIMITS: ReadonlyArray<readonly [prefix: string, limit: number]> = [
  ['claude-opus-4-5', 64000],
  ['claude-opus-4-1', 32000],
  ['claude-opus-4', 32000],
  ['claude-sonnet-4-5', 64000],
  ['claude-sonnet-4', 64000],
  ['claude-haiku-4-5', 64000],
  ['claude-3-7-sonnet', 64000],
  ['claude-3-5-sonnet', 8192],
  ['claude-3-5-haiku', 8192],
  ['claude-3-opus', 4096],
  ['claude-3-sonnet', 4096],
  ['claude-3-haiku', 4096],
];

/**
 * The smallest limit of any Claude model: safe for a model this table does not know yet
 * (Anthropic rejects a `max_tokens` above the model's limit), and config can raise it per target.
 */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

/** Anthropic requires `max_tokens`; this is the model's limit, injected when the client sent none. */
export function claudeMaxOutputTokens(model: string): OutputLimit {
  for (const [prefix, limit] of OUTPUT_LIMITS) {
    if (model.startsWith(prefix)) return { tokens: limit, documented: true };
  }
  return { tokens: DEFAULT_MAX_OUTPUT_TOKENS, documented: false };
}
