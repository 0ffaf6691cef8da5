
import { planRoute } from '../../../functions/core/routing/plan-route';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { startScriptedUpstreams, type ScriptedUpstreams } from '../../helpers/scripted-upstreams';
import { mulberry32 } from '../../../functions/core/routing/seeded-random';
import { parseConfig } from '../../../functions/providers/config';

const mock = { type: 'mock' };
const providers = { a: mock, b: mock, c: mock, d: mock };

/** Share of draws in which each target id came first. */
function firstPickShares(draw: () => string, draws: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < draws; i++) {
    const id = draw();
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([id, count]) => [id, count / draws]));
}

describe('route planning', () => {
  it('keeps the configured order for strategy fallback', () => {
    const config = parseConfig({ providers, models: { m: { targets: [{ provider: 'b', model: 'x' }, { provider: 'a', model: 'y' }, { provider: 'c', model: 'z' }] } } });

    expect(planRoute(config, 'm', Math.random).map((target) => target.id)).toEqual(['b/x', 'a/y', 'c/z']);
  });

  it('expands a nested alias in place and keeps a provider model reached twice only once', () => {
    const config = parseConfig({
      providers,
      models: {
        cheap: { targets: [{ provider: 'b', model: 'small' }, { provider: 'a', model: 'big' }] },
        smart: { targets: [{ provider: 'a', model: 'big' }, { alias: 'cheap' }, { provider: 'c', model: 'last' }] },
        top: { targets: [{ alias: 'smart' }, { provider: 'd', model: 'final' }] },
      },
    });

    expect(planRoute(config, 'top', Math.random).map((target) => target.id)).toEqual(['a/big', 'b/small', 'c/last', 'd/final']);
  });

  it('carries per-target overrides into the plan', () => {
    const config = parseConfig({
      providers,
      models: { m: { targets: [{ provider: 'a', model: 'x', maxOutputTokens: 512, contextWindow: 8192, params: { temperature: 0 }, price: { input: 1, output: 2 } }] } },
    });

    expect(planRoute(config, 'm', Math.random)[0]).toMatchObject({ id: 'a/x', providerName: 'a', model: 'x', maxOutputTokens: 512, contextWindow: 8192, params: { temperature: 0 }, price: { input: 1, output: 2 } });
  });

  describe('strategy loadbalance (seeded random, mulberry32)', () => {
    const DRAWS = 20_000;
    // Binomial standard deviation at n = 20 000 is at most 0.0036; 0.015 is over four of them.
    const TOLERANCE = 0.015;

    it.each([
      [{ a: 3, b: 1 }],
      [{ a: 5, b: 3, c: 2 }],
      [{ a: 1, b: 1, c: 1, d: 1 }],
      [{ a: 0.2, b: 0.8 }],
    ])('picks each target first in proportion to its weight: %j', (weights) => {
      const config = parseConfig({
        providers,
        models: { m: { strategy: 'loadbalance', targets: Object.entries(weights).map(([provider, weight]) => ({ provider, model: 'x', weight })) } },
      });
      const random = mulberry32(42);
      const total = Object.values(weights).reduce((sum, weight) => sum + weight, 0);

      const shares = firstPickShares(() => (planRoute(config, 'm', random)[0] as { providerName: string }).providerName, DRAWS);

      for (const [provider, weight] of Object.entries(weights)) expect(Math.abs((shares[provider] ?? 0) - weight / total)).toBeLessThan(TOLERANCE);
    });

    it('keeps every other target behind the pick as fallbacks', () => {
      const config = parseConfig({ providers, models: { m: { strategy: 'loadbalance', targets: [{ provider: 'a', model: 'x', weight: 3 }, { provider: 'b', model: 'x' }, { provider: 'c', model: 'x' }] } } });
      const random = mulberry32(7);

      for (let i = 0; i < 100; i++) expect(planRoute(config, 'm', random).map((target) => target.providerName).sort()).toEqual(['a', 'b', 'c']);
    });

    it('balances inside a nested alias while the outer alias keeps its fallback order', () => {
      const config = parseConfig({
        providers,
        models: {
          pool: { strategy: 'loadbalance', targets: [{ provider: 'a', model: 'x', weight: 1 }, { provider: 'b', model: 'x', weight: 3 }] },
          m: { targets: [{ alias: 'pool' }, { provider: 'c', model: 'backup' }] },
        },
      });
      const random = mulberry32(1);

      const shares = firstPickShares(() => {
        const plan = planRoute(config, 'm', random);
        expect(plan[2]?.id).toBe('c/backup');
        return (plan[0] as { providerName: string }).providerName;
      }, 4000);

      expect(Math.abs((shares.b ?? 0) - 0.75)).toBeLessThan(0.03);
    });
  });
});

describe('strategies through the gateway', () => {
  let harness: GatewayHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('serves a 3:1 loadbalance split over 2 000 requests (seeded) within 3 percentage points', async () => {
    harness = await startGatewayHarness({
      config: { providers, models: { fast: { strategy: 'loadbalance', targets: [{ provider: 'a', model: 'big', weight: 3 }, { provider: 'b', model: 'small', weight: 1 }] } } },
      random: mulberry32(2024),
    });
    const gateway = harness.local.gateway;
    const body = JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'Hi' }] });
    const served: Record<string, number> = {};

    for (let i = 0; i < 2000; i++) {
      const response = await gateway(new Request('http://gw/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${harness.key}`, 'content-type': 'application/json' }, body }));
      expect(response.status).toBe(200);
      const provider = response.headers.get('x-switchyard-provider') as string;
      served[provider] = (served[provider] ?? 0) + 1;
      await response.body?.cancel();
    }

    // Binomial standard deviation at n = 2 000, p = 0.75: 0.0097; 0.03 is three of them.
    expect(Math.abs((served.a ?? 0) / 2000 - 0.75)).toBeLessThan(0.03);
    expect((served.a ?? 0) + (served.b ?? 0)).toBe(2000);
  });
});

describe('session affinity on a load-balanced alias', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness({
      config: {
        providers: { a: mock, b: mock, c: { type: 'mock', error: { status: 503 } } },
        models: {
          even: { strategy: 'loadbalance', targets: [{ provider: 'a', model: 'x' }, { provider: 'b', model: 'y' }] },
          flaky: { strategy: 'loadbalance', targets: [{ provider: 'c', model: 'down' }, { provider: 'a', model: 'x' }] },
        },
        retry: { attempts: 1 },
      },
    });
  });
  afterAll(() => harness.close());

  /** The provider that served a request of `session` (by the header Claude Code sends) to `model`. */
  async function servedBy(model: string, session: string | undefined, header = 'x-claude-code-session-id'): Promise<string | null> {
    const headers: Record<string, string> = { authorization: `Bearer ${harness.key}`, 'content-type': 'application/json' };
    if (session !== undefined) headers[header] = session;
    const response = await harness.local.gateway(new Request('http://gw/v1/chat/completions', { method: 'POST', headers, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }] }) }));
    expect(response.status).toBe(200);
    await response.body?.cancel();
    return response.headers.get('x-switchyard-provider');
  }

  it('keeps every request of a session on one target, while sessions spread over all of them', async () => {
    for (const session of ['session-1', 'session-2', 'session-3']) {
      const served = new Set<string | null>();
      for (let i = 0; i < 10; i++) served.add(await servedBy('even', session));
      expect(served.size).toBe(1);
    }
    const firstTargets = new Set<string | null>();
    for (let i = 0; i < 40; i++) firstTargets.add(await servedBy('even', `session-${i}`, 'x-switchyard-session'));
    expect([...firstTargets].sort()).toEqual(['a', 'b']);
  });

  it('takes the prompt_cache_key of a Responses request (Codex sends one per conversation) as its session when no header names one', async () => {
    const servedFor = async (cacheKey: string): Promise<string | null> => {
      const body = JSON.stringify({ model: 'even', input: 'Hi', prompt_cache_key: cacheKey, store: false });
      const response = await harness.local.gateway(new Request('http://gw/v1/responses', { method: 'POST', headers: { authorization: `Bearer ${harness.key}`, 'content-type': 'application/json' }, body }));
      expect(response.status).toBe(200);
      await response.body?.cancel();
      return response.headers.get('x-switchyard-provider');
    };
    for (const cacheKey of ['conversation-1', 'conversation-2', 'conversation-3']) {
      const served = new Set<string | null>();
      for (let i = 0; i < 10; i++) served.add(await servedFor(cacheKey));
      expect(served.size).toBe(1);
    }
    const firstTargets = new Set<string | null>();
    for (let i = 0; i < 40; i++) firstTargets.add(await servedFor(`conversation-${i}`));
    expect([...firstTargets].sort()).toEqual(['a', 'b']);
  });

  it('still falls back when the session’s target fails', async () => {
    const sessions = Array.from({ length: 20 }, (_, i) => `flaky-${i}`);
    for (const session of sessions) expect(await servedBy('flaky', session)).toBe('a');
  });
});

describe('per-target overrides reach the provider', () => {
  let up: ScriptedUpstreams;
  let harness: GatewayHarness;

  beforeAll(async () => {
    up = await startScriptedUpstreams(['a']);
    harness = await startGatewayHarness({
      config: {
        providers: { a: { type: 'openai', baseUrl: up.baseUrl('a') } },
        models: {
          m: { targets: [{ provider: 'a', model: 'provider-model-2024-08-06', params: { temperature: 0.2, top_p: 0.5 }, maxOutputTokens: 512, price: { input: 1000, output: 2000 } }] },
        },
      },
    });
  });
  afterAll(async () => {
    await harness.close();
    await up.close();
  });

  it('sends the target model name, forced params and the output limit; prices with the target price', async () => {
    const { response } = await harness.client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], temperature: 1.5 }).withResponse();

    expect(up.upstreams.a?.requests[0]?.json).toMatchObject({ model: 'provider-model-2024-08-06', temperature: 0.2, top_p: 0.5, max_tokens: 512 });
    expect(response.headers.get('x-switchyard-model')).toBe('provider-model-2024-08-06');
    // The fake upstream reports 5 prompt and 3 completion tokens: 5 × $1000/1M + 3 × $2000/1M.
    expect(response.headers.get('x-switchyard-cost-usd')).toBe('0.011000');
  });
});
