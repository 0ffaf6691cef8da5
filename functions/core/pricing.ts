import type { Price } from './config/schema';
import type { CanonicalUsage } from './model/response';

/**
 * Version of the built-in price table; recorded in every usage event so a report can tell which
 * prices a cost was computed with. Bump it whenever a price below changes.
 */
export const PRICE_VERSION = '2026-11-24';

/**
 * A model's prices, with the dearer tier some providers charge for the whole request once its
 * prompt exceeds a size (Gemini 2.5 Pro and Claude Sonnet 4/4.5 above 200k input tokens).
 */
export interface ModelPrice extends Price {
  longContext?: { aboveInputTokens: number; price: Price };
}

/** USD per 1M tokens of the models in the example config (public list prices). */
const PRICE_TABLE: Record<string, ModelPrice> = {
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'claude-sonnet-4-5': { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15, longContext: { aboveInputTokens: 200_000, price: { input: 6, cachedInput: 0.6, cacheWrite: 7.5, output: 22.5 } } },
  'claude-sonnet-4': { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15, longContext: { aboveInputTokens: 200_000, price: { input: 6, cachedInput: 0.6, cacheWrite: 7.5, output: 22.5 } } },
  'claude-haiku-4-5': { input: 1, cachedInput: 0.1, cacheWrite: 1.25, output: 5 },
  'claude-opus-4-1': { input: 15, cachedInput: 1.5, cacheWrite: 18.75, output: 75 },
  'gemini-2.5-flash': { input: 0.3, cachedInput: 0.075, output: 2.5 },
  'gemini-2.5-pro': { input: 1.25, cachedInput: 0.31, output: 10, longContext: { aboveInputTokens: 200_000, price: { input: 2.5, cachedInput: 0.625, output: 15 } } },
  'gemini-2.0-flash': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'anthropic.claude-sonnet-4-5': { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15, longContext: { aboveInputTokens: 200_000, price: { input: 6, cachedInput: 0.6, cacheWrite: 7.5, output: 22.5 } } },
  'amazon.nova-lite-v1:0': { input: 0.06, cachedInput: 0.015, output: 0.24 },
  'amazon.nova-pro-v1:0': { input: 0.8, cachedInput: 0.2, output: 3.2 },
  'amazon.titan-embed-text-v2:0': { input: 0.02, output: 0 },
};

/** Price of models nobody priced: zero, so unknown models never block a request on budget maths. */
const UNPRICED: ModelPrice = { input: 0, output: 0 };

/**
 * The price of a provider model: the target's `price` override, else the built-in table (matched
 * on the model name, ignoring a dated suffix and a Bedrock region prefix), else zero.
 */
export function priceFor(model: string, override?: Price): ModelPrice {
  if (override) return override;
  const exact = PRICE_TABLE[model];
  if (exact) return exact;
  const bare = model.replace(/^(us|eu|apac|global)\./, '').replace(/-\d{4}-\d{2}-\d{2}$/, '').replace(/-\d{8}(-v\d+:\d+)?$/, '');
  return PRICE_TABLE[bare] ?? UNPRICED;
}

/**
 * Cost of canonical usage in integer micro-USD, rounded up (DESIGN §4). Cached input and
 * cache writes are billed at their own rates; the rest of the prompt at the input rate; all of it
 * at the long-context tier when the prompt exceeds the tier's size.
 */
export function costMicroUsd(usage: CanonicalUsage, modelPrice: ModelPrice): number {
  const price = priceAt(modelPrice, usage.inputTokens);
  const cached = usage.cachedInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const uncached = Math.max(0, usage.inputTokens - cached - cacheWrite);
  const microUsd =
    uncached * price.input +
    cached * (price.cachedInput ?? price.input) +
    cacheWrite * (price.cacheWrite ?? price.input) +
    usage.outputTokens * price.output;
  // Price is USD per 1M tokens, so tokens × price is already micro-USD.
  return Math.max(0, Math.ceil(microUsd - 1e-9));
}

/** The flat prices that apply to a request with `inputTokens` prompt tokens. */
export function priceAt(price: ModelPrice, inputTokens: number): Price {
  return price.longContext && inputTokens > price.longContext.aboveInputTokens ? price.longContext.price : price;
}
