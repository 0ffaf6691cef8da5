import { ConfigError } from '../../../functions/core/config/load-config';
import { parseConfig } from '../../../functions/providers/config';

const providers = { a: { type: 'openai' }, b: { type: 'mock' } };
const target = { provider: 'a', model: 'gpt-4o' };

/** A valid config with `patch` merged in at the top level. */
const withTop = (patch: Record<string, unknown>): unknown => ({ providers, models: { m: { targets: [target] } }, ...patch });
/** A valid config whose `models` are `models`. */
const withModels = (models: Record<string, unknown>): unknown => ({ providers, models });

describe('config errors fail at load with a message naming the field', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['unknown provider', withModels({ m: { targets: [{ provider: 'nope', model: 'x' }] } }), 'models.m.targets[0].provider', /unknown provider 'nope' \(configured: a, b\)/],
    ['alias cycle', withModels({ x: { targets: [{ alias: 'y' }] }, y: { targets: [target, { alias: 'x' }] } }), 'models.x.targets', /alias cycle x → y → x/],
    ['alias naming itself', withModels({ x: { targets: [target, { alias: 'x' }] } }), 'models.x.targets', /alias cycle x → x/],
    ['unknown alias', withModels({ m: { targets: [{ alias: 'ghost' }] } }), 'models.m.targets[0].alias', /unknown model alias 'ghost'/],
    ['zero weight', withModels({ m: { strategy: 'loadbalance', targets: [target, { provider: 'b', model: 'y', weight: 0 }] } }), 'models.m.targets[1].weight', /expected number to be >0/],
    ['negative weight', withModels({ m: { strategy: 'loadbalance', targets: [{ ...target, weight: -1 }] } }), 'models.m.targets[0].weight', /expected number to be >0/],
    ['weight that is not a number', withModels({ m: { strategy: 'loadbalance', targets: [{ ...target, weight: '3' }] } }), 'models.m.targets[0].weight', /expected number/],
    ['weight on a fallback model', withModels({ m: { targets: [{ ...target, weight: 2 }] } }), 'models.m.targets[0].weight', /only to strategy 'loadbalance'/],
    ['target with both alias and provider', withModels({ n: { targets: [target] }, m: { targets: [{ alias: 'n', provider: 'a' }] } }), 'models.m.targets[0]', /either an alias or a provider/],
    ['provider without model', withModels({ m: { targets: [{ provider: 'a' }] } }), 'models.m.targets[0].model', /required with provider/],
    ['target with neither alias nor provider', withModels({ m: { targets: [{ maxOutputTokens: 512 }] } }), 'models.m.targets[0].provider', /required \(or give an alias\)/],
    ['model without targets', withModels({ m: { targets: [] } }), 'models.m.targets', /expected array to have >=1/],
    ['unknown strategy', withModels({ m: { strategy: 'roundrobin', targets: [target] } }), 'models.m.strategy', /expected one of "fallback"\|"loadbalance"/],
    ['misspelt target field', withModels({ m: { targets: [{ ...target, contextwindow: 8000 }] } }), 'models.m.targets[0].contextwindow', /unknown field/],
    ['unknown provider type', { providers: { a: { type: 'cohere' } }, models: {} }, 'providers.a.type', /unknown provider type/],
    ['unknown fallbackOn class', withTop({ fallbackOn: ['rate_limit', 'teapot'] }), 'fallbackOn[1]', /expected one of/],
    ['zero retry attempts', withTop({ retry: { attempts: 0 } }), 'retry.attempts', /expected number to be >=1/],
    ['a retry status that is not an error', withTop({ retry: { onStatus: [200] } }), 'retry.onStatus[0]', /expected number to be >=400/],
    ['zero first-byte timeout', withTop({ timeouts: { firstByteMs: 0 } }), 'timeouts.firstByteMs', /expected number to be >0/],
    ['cooldown without failures', withTop({ cooldown: { cooldownMs: 1000 } }), 'cooldown.failures', /expected number/],
    ['cooldown with zero failures', withTop({ cooldown: { failures: 0 } }), 'cooldown.failures', /expected number to be >=1/],
    ['unknown request control', withTop({ requestControls: { allowEverything: true } }), 'requestControls.allowEverything', /unknown field/],
  ])('%s', (_name, raw, field, message) => {
    let thrown: unknown;
    try {
      parseConfig(raw);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`switchyard config: ${field}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('accepts nesting without cycles, weights on loadbalance models and routing sections with defaults', () => {
    const config = parseConfig({
      providers,
      models: {
        cheap: { strategy: 'loadbalance', targets: [{ ...target, weight: 3 }, { provider: 'b', model: 'y', weight: 1 }] },
        smart: { targets: [{ provider: 'a', model: 'gpt-4.1' }, { alias: 'cheap' }] },
        top: { targets: [{ alias: 'smart' }, { alias: 'cheap' }] },
      },
      cooldown: { failures: 5 },
    });

    expect(config.cooldown).toEqual({ failures: 5, windowMs: 60_000, cooldownMs: 30_000 });
    expect(config.requestControls).toEqual({ allowTargetHeader: false, allowNoFallbackHeader: false });
    expect(config.retry).toEqual({ attempts: 2, backoffMs: 200, maxBackoffMs: 5000, maxRetryAfterMs: 10_000, onStatus: [429, 500, 502, 503, 504] });
  });
});
