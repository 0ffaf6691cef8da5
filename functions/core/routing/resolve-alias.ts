import type { SwitchyardConfig } from '../config/schema';

/** A model-name pattern of the config, compiled. */
interface AliasPattern {
  alias: string;
  regex: RegExp;
  /** Characters that are not `*`: the more, the more specific the pattern. */
  literal: number;
}

const compiled = new WeakMap<SwitchyardConfig['models'], AliasPattern[]>();

/** Whether a `models` key is a model-name pattern (`claude-sonnet-*`) rather than an alias. */
export function isAliasPattern(key: string): boolean {
  return key.includes('*');
}

function patternsOf(models: SwitchyardConfig['models']): AliasPattern[] {
  let patterns = compiled.get(models);
  if (!patterns) {
    patterns = Object.keys(models)
      .filter(isAliasPattern)
      .map((alias) => ({
        alias,
        regex: new RegExp(`^${alias.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`),
        literal: alias.replaceAll('*', '').length,
      }))
      .sort((a, b) => b.literal - a.literal || a.alias.localeCompare(b.alias));
    compiled.set(models, patterns);
  }
  return patterns;
}

/**
 * The `models` entry a requested model name routes by (DESIGN §3): the alias of that exact name,
 * else the most specific pattern (`*` matches any run of characters; the pattern with the most
 * other characters wins, ties by name) that matches it — so the dated ids Claude Code sends
 * (`claude-sonnet-4-5-20250929`) reach `claude-sonnet-*`. `undefined` when nothing matches.
 */
export function resolveAlias(config: SwitchyardConfig, requested: string): string | undefined {
  if (Object.hasOwn(config.models, requested) && !isAliasPattern(requested)) return requested;
  return patternsOf(config.models).find((pattern) => pattern.regex.test(requested))?.alias;
}
