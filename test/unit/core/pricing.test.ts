import { costMicroUsd, PRICE_VERSION, priceFor } from '../../../functions/core/pricing';
import { costBoundMicroUsd } from '../../../functions/core/pipeline/cost-bound';

describe('pricing', () => {
  it.each([
    // model, prompt, cached, cache write, completion, expected micro-USD
    ['gpt-4o-mini', 1_000, 0, 0, 500, 450], // 1000 × 0.15 + 500 × 0.6
    ['gpt-4o', 1_000, 400, 0, 0, 2_000], // 600 × 2.5 + 400 × 1.25
    ['claude-sonnet-4-5', 1_000, 200, 300, 100, 4_185], // 500 × 3 + 200 × 0.3 + 300 × 3.75 + 100 × 15
    ['gemini-2.5-pro', 200_000, 0, 0, 1_000, 260_000], // at the tier boundary: still 1.25 / 10
    ['gemini-2.5-pro', 200_001, 0, 0, 1_000, 515_003], // above: 2.5 / 15 for the whole request
    ['claude-sonnet-4-5-20250929', 250_000, 0, 0, 0, 1_500_000], // dated id, long-context tier 6
    ['gpt-4o-mini', 1, 0, 0, 0, 1], // 0.15 micro-USD rounds up to 1
    ['some-unpriced-model', 1_000_000, 0, 0, 1_000_000, 0],
  ])('%s with %d prompt (%d cached, %d cache-write) and %d completion tokens costs %d micro-USD', (model, prompt, cached, cacheWrite, completion, expected) => {
    const usage = { inputTokens: prompt, outputTokens: completion, cachedInputTokens: cached, cacheWriteTokens: cacheWrite };
    expect(costMicroUsd(usage, priceFor(model))).toBe(expected);
  });

  it('lets a target price override the table', () => {
    const usage = { inputTokens: 1_000, outputTokens: 1_000 };
    expect(costMicroUsd(usage, priceFor('gpt-4o', { input: 1, output: 2 }))).toBe(3_000);
  });

  it('bounds a request by the dearest input rate of its tier and the output rate', () => {
    expect(costBoundMicroUsd(priceFor('claude-sonnet-4-5'), 1_000, 100)).toBe(5_250); // 1000 × 3.75 + 100 × 15
    expect(costBoundMicroUsd(priceFor('gemini-2.5-pro'), 300_000, 0)).toBe(750_000); // tier: 2.5
  });

  it('never bounds below the cost of any usage within the bound', () => {
    const price = priceFor('claude-sonnet-4-5');
    const bound = costBoundMicroUsd(price, 10_000, 2_000);
    for (const [cached, cacheWrite] of [[0, 0], [10_000, 0], [0, 10_000], [5_000, 5_000]] as const) {
      const usage = { inputTokens: 10_000, outputTokens: 2_000, cachedInputTokens: cached, cacheWriteTokens: cacheWrite };
      expect(costMicroUsd(usage, price)).toBeLessThanOrEqual(bound);
    }
  });

  it('has a dated price version', () => {
    expect(PRICE_VERSION).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
