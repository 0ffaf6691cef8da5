import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../../functions/core/config/load-config';
import { configJsonSchema } from '../../../../functions/cli/generate-config-schema';
import { parseConfig, parseConfigText } from '../../../../functions/providers/config';

const ROOT = join(__dirname, '..', '..', '..', '..');
const base = { providers: { p: { type: 'mock' } }, models: { a: { targets: [{ provider: 'p', model: 'm' }] } } };

function errorOf(raw: unknown): ConfigError {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config loading', () => {
  it('loads the example config shipped with the project', () => {
    const config = parseConfigText(readFileSync(join(ROOT, 'switchyard.config.json'), 'utf8'));
    expect(Object.keys(config.models)).toContain('demo');
    expect(config.retry.onStatus).toEqual([429, 500, 502, 503, 504]);
  });

  it('applies defaults', () => {
    const config = parseConfig(base);
    expect(config.models.a?.strategy).toBe('fallback');
    expect(config.timeouts.firstByteMs).toBe(30000);
    expect(config.limits.maxBodyBytes).toBeGreaterThan(0);
  });

  it.each([
    ['an unknown provider type', { ...base, providers: { p: { type: 'openia' } } }, 'providers.p.type'],
    ['an unknown field', { ...base, providers: { p: { type: 'mock', baseURL: 'http://x' } } }, 'providers.p.baseURL'],
    ['a bad baseUrl', { ...base, providers: { p: { type: 'openai', baseUrl: 'localhost:1234' } } }, 'providers.p.baseUrl'],
    ['a target naming an unknown provider', { ...base, models: { a: { targets: [{ provider: 'nope', model: 'm' }] } } }, 'models.a.targets[0].provider'],
    ['a target without a model', { ...base, models: { a: { targets: [{ provider: 'p' }] } } }, 'models.a.targets[0].model'],
    ['a target naming an unknown alias', { ...base, models: { a: { targets: [{ alias: 'b' }] } } }, 'models.a.targets[0].alias'],
    ['a zero weight', { ...base, models: { a: { strategy: 'loadbalance', targets: [{ provider: 'p', model: 'm', weight: 0 }] } } }, 'models.a.targets[0].weight'],
    ['a negative weight', { ...base, models: { a: { strategy: 'loadbalance', targets: [{ provider: 'p', model: 'm', weight: -1 }] } } }, 'models.a.targets[0].weight'],
    ['an unknown strategy', { ...base, models: { a: { strategy: 'random', targets: [{ provider: 'p', model: 'm' }] } } }, 'models.a.strategy'],
    ['no targets', { ...base, models: { a: { targets: [] } } }, 'models.a.targets'],
    ['a retry status out of range', { ...base, retry: { onStatus: [200] } }, 'retry.onStatus[0]'],
  ])('rejects %s, naming the field', (_name, raw, field) => {
    const error = errorOf(raw);
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it('rejects an alias cycle, naming the aliases', () => {
    const error = errorOf({ ...base, models: { a: { targets: [{ alias: 'b' }] }, b: { targets: [{ alias: 'c' }] }, c: { targets: [{ alias: 'a' }] } } });
    expect(error.message).toMatch(/cycle a → b → c → a/);
  });

  it('reports malformed JSON text', () => {
    expect(() => parseConfigText('{ "providers": ')).toThrow(/not valid JSON/);
  });

  it('ships a JSON Schema generated from the same source (run `npm run schema` after changing it)', () => {
    const shipped = JSON.parse(readFileSync(join(ROOT, 'switchyard.config.schema.json'), 'utf8'));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });
});
