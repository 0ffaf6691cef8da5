import type { CanonicalRequest } from '../model/request';
import { priceAt, type ModelPrice } from '../pricing';
import type { RouteTarget } from '../routing/plan-route';
import type { ProviderAdapter } from '../ports/provider';

/**
 * Input tokens an image by URL can cost at most. Remote images are not in the request bytes, and
 * the dearest tiling (gpt-4o-mini, high detail, 2048×768: 2,833 + 6 × 5,667 tokens) stays below it.
 */
const IMAGE_INPUT_TOKEN_BOUND = 40_000;

/**
 * An upper bound of a request's input tokens (DESIGN §4): no tokenizer yields more tokens
 * than the UTF-8 bytes it reads, so the request body's byte size bounds the prompt, tools and
 * schema together; each image or document given by URL (not inline, whose bytes are already
 * counted) adds {@link IMAGE_INPUT_TOKEN_BOUND}.
 */
export function inputTokenBound(bodyBytes: number, request: Pick<CanonicalRequest, 'messages'>): number {
  let remote = 0;
  for (const message of request.messages) {
    for (const part of message.content) {
      if ((part.type === 'image' || part.type === 'document') && part.media.kind === 'url') remote += 1;
    }
  }
  return bodyBytes + remote * IMAGE_INPUT_TOKEN_BOUND;
}

/**
 * The most `inputTokens` input and `outputTokens` output tokens can cost at `modelPrice`, in
 * micro-USD rounded up: the tier of that prompt size, every input token at the dearest input rate
 * (cache writes cost more than plain input), every output token at the output rate.
 */
export function costBoundMicroUsd(modelPrice: ModelPrice, inputTokens: number, outputTokens: number): number {
  const price = priceAt(modelPrice, inputTokens);
  const inputRate = Math.max(price.input, price.cachedInput ?? 0, price.cacheWrite ?? 0);
  // USD per 1M tokens × tokens = micro-USD.
  return Math.ceil(inputTokens * inputRate + outputTokens * price.output);
}

/** Output limit injected upstream when neither the client, the target nor the adapter gives one. */
const DEFAULT_OUTPUT_TOKEN_LIMIT = 4096;

/**
 * The output token limit of a call to `target`: the client's limit (`client`) capped at the
 * target's configured `maxOutputTokens`, else at the model's documented maximum (a client asking
 * for 128,000 tokens of a model that allows 64,000 — Claude Code does, for whatever model an alias
 * maps it to — gets 64,000 instead of a 400); without a client limit, the target's
 * `maxOutputTokens`, else the adapter's model limit, else {@link DEFAULT_OUTPUT_TOKEN_LIMIT}. The
 * gateway sends exactly this limit upstream, which is what makes the budget reservation an upper
 * bound.
 */
export function outputTokenLimit(client: number | undefined, target: Pick<RouteTarget, 'model' | 'maxOutputTokens'>, adapter: Pick<ProviderAdapter, 'maxOutputTokens'> | undefined): number {
  const model = adapter?.maxOutputTokens?.(target.model);
  if (client !== undefined) {
    const cap = target.maxOutputTokens ?? (model?.documented ? model.tokens : undefined);
    return cap === undefined ? client : Math.min(client, cap);
  }
  return target.maxOutputTokens ?? model?.tokens ?? DEFAULT_OUTPUT_TOKEN_LIMIT;
}
