import { modelNotFound, permissionDenied } from '../errors';
import type { SwitchyardConfig } from '../config/schema';
import type { Principal } from './authenticate';

/** Whether a principal may use a model alias (an empty allow-list means every alias). */
export function mayUseModel(principal: Principal | undefined, alias: string): boolean {
  const allowed = principal?.models;
  return !allowed || allowed.length === 0 || allowed.includes(alias);
}

/** 404 for an unknown alias, 403 for an alias the key may not use. */
export function assertModelAccess(config: SwitchyardConfig, principal: Principal | undefined, alias: string): void {
  if (!Object.hasOwn(config.models, alias)) throw modelNotFound(alias);
  if (!mayUseModel(principal, alias)) {
    throw permissionDenied(`This API key is not allowed to use the model '${alias}'.`);
  }
}
