import type { SwitchyardConfig } from '../functions/core/config/schema';

/**
 * Largest request body the gateway accepts on AWS. A Lambda invocation payload is at most 6 MB
 * (6,291,456 bytes) and API Gateway wraps the body in a JSON event with headers and context, and
 * escapes it: 5 MiB leaves room, so a body the gateway may accept always reaches it.
 */
const AWS_MAX_BODY_BYTES = 5 * 1024 * 1024;
/** API Gateway ends a streamed response after 15 minutes; the Lambda timeout is the same. */
const API_GATEWAY_STREAM_LIMIT_MS = 15 * 60_000;
/** Time kept after a request's deadline for settlement, the usage event and metrics (requestEnd). */
const SETTLEMENT_MARGIN_MS = 60_000;
/** API Gateway closes a stream idle for 5 minutes; heartbeats must come well before. */
const API_GATEWAY_IDLE_LIMIT_MS = 5 * 60_000;

/** What {@link prepareDeployedConfig} makes of a config. */
export interface DeployedConfig {
  /** The config to compile into the gateway: the body limit capped for Lambda. */
  readonly config: SwitchyardConfig;
  /** Things the operator should see at synthesis (`cdk synth` prints them as warnings). */
  readonly warnings: string[];
}

/**
 * Checks a routing config for deployment to Lambda behind API Gateway and adapts what must be:
 * - routes to the `mock` provider or to a loopback address (the example config's offline aliases)
 *   are refused unless `allowDevProviders` (then reported as a warning): in production a failing
 *   real provider must give clients an error, not canned text from a fallback to the mock;
 * - `limits.maxBodyBytes` is capped at {@link AWS_MAX_BODY_BYTES} so oversized bodies get the
 *   gateway's 413 instead of a failed invocation;
 * - `timeouts.totalMs` must end before API Gateway's 15-minute stream limit (with time to settle)
 *   and `timeouts.heartbeatMs` must keep a silent stream under its 5-minute idle limit.
 * Throws an Error naming the field and the fix.
 */
export function prepareDeployedConfig(config: SwitchyardConfig, options: { allowDevProviders: boolean }): DeployedConfig {
  const warnings: string[] = [];
  const devProviders = routedProviders(config).filter((name) => isDevProvider(config, name));
  if (devProviders.length > 0) {
    const what = devProviders.map((name) => `'${name}' (${describeDevProvider(config, name)})`).join(', ');
    if (!options.allowDevProviders) {
      throw new Error(
        `config routes to ${what}, which cannot serve production traffic from Lambda. Deploy a config without them ` +
          `(cdk.json's default is switchyard.aws.config.json), or pass -c allowDevProviders=true for a test stack.`,
      );
    }
    warnings.push(`allowDevProviders: this stack routes to ${what}; clients may get mock replies or failures instead of a real model.`);
  }

  const { totalMs, heartbeatMs } = config.timeouts;
  const totalLimit = API_GATEWAY_STREAM_LIMIT_MS - SETTLEMENT_MARGIN_MS;
  if (totalMs > totalLimit) {
    throw new Error(`timeouts.totalMs is ${totalMs}; on AWS it must be at most ${totalLimit} (API Gateway ends a stream after 15 minutes and the request needs time to settle).`);
  }
  if (heartbeatMs >= API_GATEWAY_IDLE_LIMIT_MS) {
    throw new Error(`timeouts.heartbeatMs is ${heartbeatMs}; on AWS it must be below ${API_GATEWAY_IDLE_LIMIT_MS} (API Gateway closes a stream idle for 5 minutes).`);
  }

  // The local default (8 MiB) is above it too, so capping is the normal case, not a warning.
  const maxBodyBytes = Math.min(config.limits.maxBodyBytes, AWS_MAX_BODY_BYTES);
  return { config: { ...config, limits: { ...config.limits, maxBodyBytes } }, warnings };
}

/** Every provider some alias can route to (nested aliases are followed by name). */
function routedProviders(config: SwitchyardConfig): string[] {
  const names = new Set<string>();
  for (const alias of Object.values(config.models)) for (const target of alias.targets) if (target.provider) names.add(target.provider);
  return [...names].sort();
}

function isDevProvider(config: SwitchyardConfig, name: string): boolean {
  const provider = config.providers[name];
  return provider !== undefined && (provider.type === 'mock' || isLoopback(provider.baseUrl));
}

function describeDevProvider(config: SwitchyardConfig, name: string): string {
  const provider = config.providers[name];
  return provider?.type === 'mock' ? 'the mock provider' : `loopback ${provider?.baseUrl ?? ''}`;
}

/** True for a URL whose host is this machine: `localhost`, 127.0.0.0/8, `::1` or `0.0.0.0`. */
function isLoopback(url: string | undefined): boolean {
  if (!url) return false;
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === '0.0.0.0';
}
