import type { Price } from '../config/schema';
import type { ChatCompletionRequest } from '../openai/types';

/**
 * Input tokens an image by URL can cost at most. Remote images are not in the request bytes, and
 * the dearest tiling (gpt-4o-mini, high detail, 2048×768: 2,833 + 6 × 5,667 tokens) stays below it.
 */
export const IMAGE_INPUT_TOKEN_BOUND = 40_000;

/**
 * An upper bound of a chat request's input tokens (DESIGN §4): no tokenizer yields more tokens
 * than the UTF-8 bytes it reads, so the request body's byte size bounds the prompt, tools and
 * schema together; each image given by URL (not inline as a data URL, whose bytes are already
 * counted) adds {@link IMAGE_INPUT_TOKEN_BOUND}.
 */
export function inputTokenBound(bodyBytes: number, request: Pick<ChatCompletionRequest, 'messages'>): number {
  let images = 0;
  for (const message of request.messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content) {
      if (part.type === 'image_url' && !String((part as { image_url?: { url?: unknown } }).image_url?.url ?? '').startsWith('data:')) images += 1;
    }
  }
  return bodyBytes + images * IMAGE_INPUT_TOKEN_BOUND;
}

/**
 * The most `inputTokens` input and `outputTokens` output tokens can cost at `price`, in micro-USD
 * rounded up: every input token is priced at the dearest input rate (cache writes cost more than
 * plain input), every output token at the output rate.
 */
export function costBoundMicroUsd(price: Price, inputTokens: number, outputTokens: number): number {
  const inputRate = Math.max(price.input, price.cachedInput ?? 0, price.cacheWrite ?? 0);
  // USD per 1M tokens × tokens = micro-USD.
  return Math.ceil(inputTokens * inputRate + outputTokens * price.output);
}
