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
 * replacement, so the picked target is first (with probability weight / total weight) and the
 * others remain as fallbacks. A target that is another alias is expanded in place with its own
 * strategy (config loading has rejected cycles). A provider model reached twice through nesting
 * is kept only where it first appears: trying it again would not change the answer.
 */
export function planRoute(config: SwitchyardConfig, alias: string, random: () => number): RouteTarget[] {
  const plan: RouteTarget[] = [];
  const seen = new Set<string>();
  expand(config, alias, random, (target) => {
    if (seen.has(target.id)) return;
    seen.add(target.id);
    plan.push(target);
  });
  return plan;
}

function expand(config: SwitchyardConfig, alias: string, random: () => number, emit: (target: RouteTarget) => void): void {
  const model = config.models[alias];
  if (!model) return;
  const ordered = model.strategy === 'loadbalance' ? weightedOrder(model.targets, random) : model.targets;
  for (const target of ordered) {
    if (target.alias !== undefined) expand(config, target.alias, random, emit);
    else emit(toRouteTarget(config, target));
  }
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
