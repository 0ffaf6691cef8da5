import type { SwitchyardConfig } from '../config/schema';
import { invalidRequest } from '../errors';
import type { RouteTarget } from './plan-route';

/** Request header pinning one target of the alias: `provider/model`. */
const TARGET_HEADER = 'x-switchyard-target';
/** Request header disabling fallback: `off` (or `on`, the default). */
const FALLBACK_HEADER = 'x-switchyard-fallback';

/**
 * Narrows a planned route by the client's routing headers, for debugging a route from the
 * outside. Each header is honoured only when `requestControls` enables it and is otherwise
 * ignored (a header left in a production client never changes or breaks its requests). Once
 * enabled, a header that cannot be honoured is a 400 naming it, never silently dropped.
 * Retries on the remaining target still apply.
 */
export function applyRequestControls(plan: RouteTarget[], headers: Headers, controls: SwitchyardConfig['requestControls']): RouteTarget[] {
  let result = plan;
  const pinned = controls.allowTargetHeader ? headers.get(TARGET_HEADER)?.trim() : undefined;
  if (pinned !== undefined) {
    const target = plan.find((candidate) => candidate.id === pinned);
    if (!target) {
      throw invalidRequest(`${TARGET_HEADER}: '${pinned}' is not a target of this model (targets: ${plan.map((candidate) => candidate.id).join(', ')}).`, null, 'unknown_target');
    }
    result = [target];
  }
  const fallback = controls.allowNoFallbackHeader ? headers.get(FALLBACK_HEADER)?.trim().toLowerCase() : undefined;
  if (fallback === 'off') result = result.slice(0, 1);
  else if (fallback !== undefined && fallback !== 'on') throw invalidRequest(`${FALLBACK_HEADER} must be 'on' or 'off'.`, null, 'invalid_routing_header');
  return result;
}
