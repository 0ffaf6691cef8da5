import type { ConfigError } from '../../../functions/core/config/load-config';
import { configJsonSchema } from '../../../functions/cli/generate-config-schema';
import { parseConfig } from '../../../functions/providers/config';
import { defaultProviders } from '../../../functions/providers/registry';

/** The config file's provider entries are validated by each provider type's own schema. */
describe('provider settings in the config file', () => {
  const models = { a: { targets: [{ provider: 'p', model: 'm' }] } };
  const errorOf = (provider: Record<string, unknown>): ConfigError => {
    try {
      parseConfig({ providers: { p: provider }, models });
    } catch (error) {
      return error as ConfigError;
    }
    throw new Error('expected a ConfigError');
  };

  it('accepts each type’s own fields and refuses another type’s, naming the field', () => {
    expect(parseConfig({ providers: { p: { type: 'anthropic', anthropicVersion: '2023-06-01' } }, models }).providers.p).toEqual({ type: 'anthropic', anthropicVersion: '2023-06-01' });
    expect(parseConfig({ providers: { p: { type: 'bedrock', region: 'eu-west-1' } }, models }).providers.p).toEqual({ type: 'bedrock', region: 'eu-west-1' });
    expect(errorOf({ type: 'openai', anthropicVersion: '2023-06-01' }).message).toBe('switchyard config: providers.p.anthropicVersion: unknown field');
    expect(errorOf({ type: 'anthropic', region: 'eu-west-1' }).message).toBe('switchyard config: providers.p.region: unknown field');
    expect(errorOf({ type: 'mock', chunks: 0 }).field).toBe('providers.p.chunks');
  });

  it('names every registered provider type when the type is unknown', () => {
    expect(errorOf({ type: 'antropic' }).message).toBe(`switchyard config: providers.p.type: unknown provider type (expected one of ${['openai', 'anthropic', 'gemini', 'bedrock', 'mock'].join(', ')})`);
  });

  it('has one settings schema for each registered provider adapter, and the JSON Schema offers exactly those', () => {
    const schema = configJsonSchema() as { properties: { providers: { additionalProperties: { oneOf?: unknown[]; anyOf?: unknown[] } } } };
    const entries = (schema.properties.providers.additionalProperties.oneOf ?? schema.properties.providers.additionalProperties.anyOf ?? []) as Array<{ properties: { type: { const: string } } }>;
    const types = entries.map((entry) => entry.properties.type.const).sort();
    expect(types).toEqual(Object.keys(defaultProviders).sort());
    for (const type of types) expect(defaultProviders[type]?.type).toBe(type);
  });
});
