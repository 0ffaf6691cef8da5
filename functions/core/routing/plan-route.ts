import type { Price, ProviderConfig, SwitchyardConfig, TargetConfig } from '../config/schema';

/** One concrete provider model a request may be sent to. */
export interface RouteTarget {
  /** `provider/model`, the identity used for cooldowns and logs. */
  id: string;
  providerName: string;
  provider: ProviderConfig;
  model: string;
  maxOutputTokens: number | undefined;
  contextWindow: number | undefined;
  price: Price | undefined;
  params: Record<string, unknown> | undefined;
}

/**
 * Orders the targets of a model alias for one request (DESIGN §3):
 * `fallback` keeps the configured order; `loadbalance` draws a weighted-random order without
 * replacement, so the picked target is first and the others remain as fallbacks. A target that is
 * another alias is expanded in place (config loading has rejected cycles).
 */
export function planRoute(config: SwitchyardConfig, alias: string, random: () => number): RouteTarget[] {
  const model = config.models[alias];
  if (!model) return [];
  const ordered = model.strategy === 'loadbalance' ? weightedOrder(model.targets, random) : model.targets;
  const plan: RouteTarget[] = [];
  for (const target of ordered) {
    if (target.alias !== undefined) plan.push(...planRoute(config, target.alias, random));
    else plan.push(toRouteTarget(config, target));
  }
  return plan;
}

function toRouteTarget(config: SwitchyardConfig, target: TargetConfig): RouteTarget {
  const providerName = target.provider as string;
  const model = target.model as string;
  return {
    id: `${providerName}/${model}`,
    providerName,
    provider: config.providers[providerName] as ProviderConfig,
    model,
    maxOutputTokens: target.maxOutputTokens,
    contextWindow: target.contextWindow,
    price: target.price,
    params: target.params,
  };
}

/** Weighted random permutation (Efraimidis–Spirakis keys: u^(1/w), highest first). */
function weightedOrder(targets: TargetConfig[], random: () => number): TargetConfig[] {
  return targets
    .map((target) => ({ target, key: Math.pow(random(), 1 / (target.weight ?? 1)) }))
    .sort((a, b) => b.key - a.key)
    .map((entry) => entry.target);
}
