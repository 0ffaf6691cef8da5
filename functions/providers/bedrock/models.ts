import type { OutputLimit } from '../../core/ports/provider';
/**
 * What the Bedrock adapter needs to know about model ids: output limits and model families.
 * Ids may carry a cross-region inference-profile prefix (`us.`, `eu.`, `global.`…) or be full
 * ARNs, so matching is on the family part anywhere in the id.
 */

/** Output token limits by model family, most specific first. */
const OUTPUT_LIMITS: ReadonlyArray<readonly [RegExp, number]> = [
  [/anthropic\.claude-3-(haiku|sonnet|opus)-/, 4096],
  [/anthropic\.claude-3-5-(sonnet|haiku)-/, 8192],
  [/anthropic\.claude-opus-4-(1-)?\d{8}/, 32000],
  [/anthropic\.claude-opus-4/, 64000],
  [/anthropic\.claude-(3-7-sonnet|sonnet-4|haiku-4)/, 64000],
  [/anthropic\.claude-instant|anthropic\.claude-v2/, 4096],
  [/amazon\.nova-premier/, 32000],
  // 5000 is the launch limit of the v1 models; later raised, but a too-high maxTokens fails every call.
  [/amazon\.nova-(micro|lite|pro)-v1/, 5000],
  [/meta\.llama4/, 8192],
  [/meta\.llama/, 2048],
  [/mistral\./, 8192],
  [/cohere\.command/, 4096],
  [/ai21\.jamba/, 4096],
];

/** Used for model ids we do not know: low enough for every Converse model family. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

/**
 * The model's maximum output tokens, injected as `maxTokens` when the client sent no limit so
 * the gateway's budget reservation is a true upper bound.
 */
export function bedrockMaxOutputTokens(model: string): OutputLimit {
  for (const [pattern, limit] of OUTPUT_LIMITS) if (pattern.test(model)) return { tokens: limit, documented: true };
  return { tokens: DEFAULT_MAX_OUTPUT_TOKENS, documented: false };
}

/** Model families Bedrock documents prompt caching (`cachePoint`) for. */
const CACHING_MODELS = /anthropic\.claude-(3-5-haiku|3-7-sonnet|sonnet-4|opus-4|haiku-4)|amazon\.nova-(micro|lite|pro|premier)/;
/** Model ids that name a family (vendor prefix), as opposed to an opaque ARN of a custom model or profile. */
const NAMED_FAMILY = /(^|[.:/])(anthropic|amazon|meta|mistral|cohere|ai21|deepseek|qwen|openai|writer|twelvelabs|stability|luma)\./;

/**
 * Whether Converse takes `cachePoint` blocks for the model: true for the documented families,
 * false for other named families (Bedrock refuses a cache point there, failing the whole call),
 * undefined for an id that names no family (an application inference profile ARN), where the
 * client's own hints are passed on.
 */
export function supportsCachePoints(model: string): boolean | undefined {
  if (CACHING_MODELS.test(model)) return true;
  return NAMED_FAMILY.test(model) ? false : undefined;
}

/** Whether the model is an Anthropic Claude model (extended thinking, cache points). */
export function isClaudeModel(model: string): boolean {
  return /anthropic\.claude/.test(model);
}
