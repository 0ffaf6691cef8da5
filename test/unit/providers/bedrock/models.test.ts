import { bedrockProvider } from '../../../../functions/providers/bedrock';
import { DEFAULT_MAX_OUTPUT_TOKENS } from '../../../../functions/providers/bedrock/models';

describe('bedrockProvider.maxOutputTokens', () => {
  it.each([
    ['anthropic.claude-3-haiku-20240307-v1:0', 4096],
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', 8192],
    ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', 64000],
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 64000],
    ['anthropic.claude-opus-4-1-20250805-v1:0', 32000],
    ['anthropic.claude-opus-4-5-20251101-v1:0', 64000],
    ['us.amazon.nova-pro-v1:0', 5000],
    ['amazon.nova-premier-v1:0', 32000],
    ['meta.llama3-1-70b-instruct-v1:0', 2048],
    ['us.meta.llama4-maverick-17b-instruct-v1:0', 8192],
    ['mistral.mistral-large-2407-v1:0', 8192],
    ['some.unknown-model-v1:0', DEFAULT_MAX_OUTPUT_TOKENS],
  ])('%s → %i', (model, limit) => {
    expect(bedrockProvider.maxOutputTokens?.(model)).toEqual({ tokens: limit, documented: model !== 'some.unknown-model-v1:0' });
  });

  it('needs no API key', () => {
    expect(bedrockProvider).toMatchObject({ type: 'bedrock', requiresApiKey: false });
  });
});
