import { resolveAlias } from '../../../../functions/core/routing/resolve-alias';
import { parseConfig } from '../../../../functions/providers/config';

describe('model-name patterns', () => {
  const target = { targets: [{ provider: 'demo', model: 'm' }] };
  const config = parseConfig({
    providers: { demo: { type: 'mock' } },
    models: { 'claude-sonnet-4-5': target, 'claude-sonnet-*': target, 'claude-*': target, '*-mini': target, 'o1.*': target },
  });

  it.each([
    ['claude-sonnet-4-5', 'claude-sonnet-4-5'], // an exact alias wins over every pattern
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-*'], // the most specific pattern wins
    ['claude-haiku-4-5-20251001', 'claude-*'],
    ['gpt-4o-mini', '*-mini'],
    ['claude-mini', 'claude-*'], // 'claude-' is more specific than '-mini'
  ])('%s routes by %s', (requested, alias) => {
    expect(resolveAlias(config, requested)).toBe(alias);
  });

  it('matches nothing else, and treats pattern text literally apart from *', () => {
    expect(resolveAlias(config, 'gemini-2.5-pro')).toBeUndefined();
    expect(resolveAlias(config, 'o1x-preview')).toBeUndefined();
    expect(resolveAlias(config, 'o1.preview')).toBe('o1.*');
    expect(resolveAlias(config, 'claude-*')).toBe('claude-*');
  });
});
