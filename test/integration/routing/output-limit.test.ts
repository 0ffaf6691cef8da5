import type OpenAI from 'openai';
import { outputTokenLimit } from '../../../functions/core/pipeline/cost-bound';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { ok, startScriptedUpstreams, type ScriptedUpstreams } from '../../helpers/scripted-upstreams';

describe('output token limit of a call', () => {
  const target = { model: 'gpt-4o', maxOutputTokens: 100 };

  it('caps a client limit above the target’s maxOutputTokens, keeps one below it', () => {
    expect(outputTokenLimit(5000, target, undefined)).toBe(100);
    expect(outputTokenLimit(50, target, undefined)).toBe(50);
    expect(outputTokenLimit(undefined, target, { maxOutputTokens: () => ({ tokens: 16_384, documented: true }) })).toBe(100);
    expect(outputTokenLimit(undefined, { model: 'gpt-4o', maxOutputTokens: undefined }, { maxOutputTokens: () => ({ tokens: 16_384, documented: true }) })).toBe(16_384);
  });

  it('caps a client limit above the model’s documented maximum, not above a default for an unknown model', () => {
    const unconfigured = { model: 'gpt-4o', maxOutputTokens: undefined };
    expect(outputTokenLimit(128_000, unconfigured, { maxOutputTokens: () => ({ tokens: 16_384, documented: true }) })).toBe(16_384);
    expect(outputTokenLimit(8_000, unconfigured, { maxOutputTokens: () => ({ tokens: 16_384, documented: true }) })).toBe(8_000);
    expect(outputTokenLimit(128_000, unconfigured, { maxOutputTokens: () => ({ tokens: 4_096, documented: false }) })).toBe(128_000);
    // A configured target limit overrides the table, both ways.
    expect(outputTokenLimit(128_000, { model: 'gpt-4o', maxOutputTokens: 100_000 }, { maxOutputTokens: () => ({ tokens: 16_384, documented: true }) })).toBe(100_000);
  });
});

describe('a client max_tokens above the target’s maxOutputTokens, through the gateway', () => {
  let up: ScriptedUpstreams;
  let harness: GatewayHarness;
  let client: OpenAI;

  beforeAll(async () => {
    up = await startScriptedUpstreams(['openai']);
    up.script('openai', ok('fine'));
    harness = await startGatewayHarness({
      config: {
        providers: { openai: { type: 'openai', baseUrl: up.baseUrl('openai') } },
        models: { capped: { targets: [{ provider: 'openai', model: 'small-model', maxOutputTokens: 100 }] } },
      },
    });
    client = harness.client();
  });
  afterAll(async () => {
    await harness.close();
    await up.close();
  });

  const sentUpstream = (): Record<string, unknown> => up.upstreams.openai?.requests.at(-1)?.json as Record<string, unknown>;

  it.each([
    ['max_tokens', { max_tokens: 5000 }, { max_tokens: 100 }],
    ['max_completion_tokens', { max_completion_tokens: 5000 }, { max_completion_tokens: 100 }],
    ['both', { max_tokens: 5000, max_completion_tokens: 4000 }, { max_tokens: 100, max_completion_tokens: 100 }],
    ['a limit under the cap', { max_tokens: 40 }, { max_tokens: 40 }],
  ])('is capped to it upstream (%s)', async (_name, limits, expected) => {
    await client.chat.completions.create({ model: 'capped', messages: [{ role: 'user', content: 'Hi' }], ...limits });
    expect(sentUpstream()).toMatchObject(expected);
  });
});
