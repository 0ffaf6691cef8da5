import { modelNotFound, permissionDenied } from '../errors';
import type { SwitchyardConfig } from '../config/schema';
import { resolveAlias } from '../routing/resolve-alias';
import type { Principal } from './authenticate';

/** Whether a principal may use a model alias (an empty allow-list means every alias). */
export function mayUseModel(principal: Principal | undefined, alias: string): boolean {
  const allowed = principal?.models;
  return !allowed || allowed.length === 0 || allowed.includes(alias);
}

/**
 * The `models` entry a requested model routes by (the alias, or the pattern that matches it): 404
 * when there is none, 403 when the key may use neither the name it asked for nor that entry.
 */
export function assertModelAccess(config: SwitchyardConfig, principal: Principal | undefined, requested: string): string {
  const alias = resolveAlias(config, requested);
  if (alias === undefined) throw modelNotFound(requested);
  if (!mayUseModel(principal, alias) && !mayUseModel(principal, requested)) {
    throw permissionDenied(`This API key is not allowed to use the model '${requested}'.`);
  }
  return alias;
}
