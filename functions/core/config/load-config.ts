import type { z } from 'zod';
import { formatParamPath } from '../protocols/openai-chat/validate';
import type { SwitchyardConfig } from './schema';

/** A config file problem; the message starts with the path of the offending field. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`switchyard config: ${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Reads `switchyard.config.json`; see {@link createConfigParser}. */
export interface ConfigParser {
  /** Validates a parsed config and applies defaults; throws a {@link ConfigError} naming the field. */
  parseConfig(raw: unknown): SwitchyardConfig;
  /** Parses config file text (JSON), then as {@link ConfigParser.parseConfig}. */
  parseConfigText(text: string): SwitchyardConfig;
}

/**
 * The config reader for a schema assembled from the provider types' own settings schemas
 * (`configSchemaWith`; the built-in one is `functions/providers/config.ts`). Beyond the schema it
 * checks references: each target names a configured provider (with a model) or an existing
 * alias, and alias nesting has no cycles; weights (positive numbers, by the schema) belong to
 * `loadbalance` models only, where a misplaced one would silently mean nothing.
 */
export function createConfigParser(schema: z.ZodType<SwitchyardConfig, unknown>, providerTypes: readonly string[]): ConfigParser {
  const parseConfig = (raw: unknown): SwitchyardConfig => {
    const result = schema.safeParse(raw);
    if (!result.success) throw fromZod(result.error, providerTypes);
    return checkReferences(result.data);
  };
  const parseConfigText = (text: string): SwitchyardConfig => {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new ConfigError('(file)', `not valid JSON${jsonErrorLocation(text, (error as Error).message)}: ${(error as Error).message}`);
    }
    return parseConfig(raw);
  };
  return { parseConfig, parseConfigText };
}

function checkReferences(config: SwitchyardConfig): SwitchyardConfig {
  for (const [alias, model] of Object.entries(config.models)) {
    model.targets.forEach((target, index) => {
      const field = `models.${alias}.targets[${index}]`;
      if (target.weight !== undefined && model.strategy !== 'loadbalance') {
        throw new ConfigError(`${field}.weight`, `weights apply only to strategy 'loadbalance' (this model's strategy is '${model.strategy}')`);
      }
      if (target.alias !== undefined) {
        if (target.provider !== undefined || target.model !== undefined) {
          throw new ConfigError(field, 'a target names either an alias or a provider and model, not both');
        }
        if (!config.models[target.alias]) throw new ConfigError(`${field}.alias`, `unknown model alias '${target.alias}'`);
        return;
      }
      if (target.provider === undefined) throw new ConfigError(`${field}.provider`, 'required (or give an alias)');
      if (!config.providers[target.provider]) {
        const known = Object.keys(config.providers).join(', ') || 'none';
        throw new ConfigError(`${field}.provider`, `unknown provider '${target.provider}' (configured: ${known})`);
      }
      if (target.model === undefined) throw new ConfigError(`${field}.model`, 'required with provider');
    });
  }
  for (const alias of Object.keys(config.models)) findCycle(config, alias, []);
  return config;
}

function findCycle(config: SwitchyardConfig, alias: string, path: string[]): void {
  if (path.includes(alias)) {
    throw new ConfigError(`models.${path[0]}.targets`, `alias cycle ${[...path, alias].join(' → ')}`);
  }
  for (const target of config.models[alias]?.targets ?? []) {
    if (target.alias !== undefined) findCycle(config, target.alias, [...path, alias]);
  }
}

function fromZod(error: z.ZodError, providerTypes: readonly string[]): ConfigError {
  const issue = error.issues[0];
  if (!issue) return new ConfigError('(root)', 'invalid');
  let field = formatParamPath(issue.path) || '(root)';
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    field = [field === '(root)' ? '' : field, issue.keys[0]].filter(Boolean).join('.');
    message = 'unknown field';
  } else if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator') {
    message = `unknown provider type (expected one of ${providerTypes.join(', ')})`;
  }
  return new ConfigError(field, message);
}

/** ` at line L, column C` from a JSON.parse message's `position N`, or '' when it names none. */
function jsonErrorLocation(text: string, message: string): string {
  const position = /position (\d+)/.exec(message)?.[1];
  if (position === undefined) return '';
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}`;
}
