import type { SwitchyardConfig } from './config/schema';
import { GatewayError } from './errors';
import type { Clock } from './ports/clock';
import type { KeyStore } from './ports/key-store';
import type { Logger } from './ports/logger';
import type { Metrics } from './ports/metrics';
import type { SecretStore } from './ports/secret-store';
import type { SpendStore } from './ports/spend-store';
import type { UsageSink } from './ports/usage-sink';
import type { AuditSink } from './ports/audit-sink';
import type { HashHex, Principal } from './pipeline/authenticate';
import type { CallContext, ProviderAdapter, ProviderRegistry } from './ports/provider';
import type { ResponseStore } from './ports/response-store';
import type { CircuitBreaker } from './routing/circuit-breaker';
import type { RouteTarget } from './routing/plan-route';

/** The outside world of the gateway: every port it uses, passed in at construction. */
export interface GatewayDeps {
  keyStore: KeyStore;
  /** Budgets and rate limits; keys with limits get 503 without it (fail closed). */
  spendStore?: SpendStore;
  secrets: SecretStore;
  usageSink: UsageSink;
  /** The audit trail (`audit` config, per key and team); without it no request is audited. */
  auditSink?: AuditSink;
  metrics?: Metrics;
  clock: Clock;
  logger: Logger;
  /** Web-standard fetch used for every upstream call. */
  fetch: typeof fetch;
  /** Random source in [0, 1) for load balancing and jitter (seeded in tests). */
  random?: () => number;
  /**
   * SHA-256 hex of a virtual key, used to look keys up by hash. Defaults to Web Crypto; Node entry
   * points pass node:crypto's synchronous hash, several times cheaper per request.
   */
  hashKey?: HashHex;
  /** Provider adapters by config `type` (the entry points pass `functions/providers/registry.ts`). */
  providers: ProviderRegistry;
  /** Stored Responses API responses; without it `store` is answered `false` and `previous_response_id` refused. */
  responses?: ResponseStore;
}

/** Per-request context from the runtime adapter (Lambda handler, local server). */
export interface GatewayRequestContext {
  /** Keeps work that continues after the response (usage, settlement) alive; Lambda awaits it. */
  waitUntil?(promise: Promise<unknown>): void;
  /** A principal already authenticated upstream (the Lambda authorizer); skips the key lookup. */
  principal?: Principal;
  /**
   * Epoch milliseconds at which the runtime stops the request whatever the gateway does (Lambda's
   * function timeout). A reservation its request never settled is released from the earlier of
   * this and the request's own deadline, plus `budgets.releaseGraceMs`.
   */
  deadline?: number;
  /**
   * Aborted when the client goes away. Runtimes hand it over here rather than as the `Request`'s
   * own signal: Node's `Request` ties a signal to itself through a finalization registry, about
   * 12 µs per request and weak-reference work in every garbage collection. Without it the
   * `Request`'s signal is watched.
   */
  clientSignal?: AbortSignal;
}

/** Everything a request handler needs, resolved once at gateway construction. */
export interface GatewayRuntime {
  deps: GatewayDeps & { random: () => number };
  config: SwitchyardConfig;
  /** Per-target circuit breaker of this gateway instance (`cooldown`), shared by its requests. */
  breaker: CircuitBreaker;
}

/** The adapter for a target's provider type (config loading guarantees the type is known). */
export function adapterFor(runtime: GatewayRuntime, target: RouteTarget): ProviderAdapter {
  const adapter = runtime.deps.providers[target.provider.type];
  if (!adapter) {
    throw new GatewayError({ status: 500, type: 'server_error', code: 'provider_unavailable', message: `Provider type '${target.provider.type}' is not available in this build.`, verdict: 'fallback', errorClass: 'server_error' });
  }
  return adapter;
}

/**
 * The provider API key for a target: the configured secret, looked up through the SecretStore
 * (cached by the adapter). A missing secret is our misconfiguration, not the client's: 502 with a
 * `fallback` verdict so another provider can serve.
 */
export async function apiKeyFor(runtime: GatewayRuntime, target: RouteTarget, adapter: ProviderAdapter): Promise<string | undefined> {
  const secretName = target.provider.apiKeySecret;
  if (secretName === undefined) {
    if (adapter.requiresApiKey) throw missingSecret(target, `provider '${target.providerName}' has no apiKeySecret configured`);
    return undefined;
  }
  let value: string | undefined;
  try {
    value = await runtime.deps.secrets.get(secretName);
  } catch (error) {
    throw new GatewayError({ status: 503, type: 'service_unavailable', code: 'secret_store_unavailable', message: `The secret store is unavailable for provider '${target.providerName}'.`, verdict: 'fallback', errorClass: 'server_error', provider: target.providerName, cause: error });
  }
  if (value === undefined || value === '') throw missingSecret(target, `the API key secret '${secretName}' of provider '${target.providerName}' is not set`);
  return value;
}

function missingSecret(target: RouteTarget, message: string): GatewayError {
  return new GatewayError({ status: 502, type: 'upstream_error', code: 'provider_not_configured', message: `Switchyard configuration: ${message}.`, verdict: 'fallback', errorClass: 'auth', provider: target.providerName });
}

/**
 * What a provider gets for one attempt against `target`: its settings and key, the fetch to use
 * (possibly wrapped to notice the first byte), the attempt's abort signal and the client's
 * headers (only those the provider's `forwardHeaders` allows go upstream).
 */
export function callContextFor(
  runtime: GatewayRuntime,
  target: RouteTarget,
  apiKey: string | undefined,
  attempt: { fetch: typeof fetch; signal: AbortSignal; clientHeaders: Headers; requestId: string },
): CallContext {
  return {
    providerName: target.providerName,
    settings: target.provider,
    apiKey,
    fetch: attempt.fetch,
    clientHeaders: attempt.clientHeaders,
    signal: attempt.signal,
    nowSeconds: () => Math.floor(runtime.deps.clock.now() / 1000),
    requestId: attempt.requestId,
  };
}
