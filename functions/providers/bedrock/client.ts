import type { BedrockRuntimeClient, BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { loadBedrockSdk, loadNodeHttpHandler } from './sdk';
import type { BedrockSettings } from './settings';

/** Where a Bedrock runtime client sends its requests. */
export interface BedrockTarget {
  /** `settings.region`; `undefined` lets the SDK's region chain decide (the function's region on Lambda). */
  region: string | undefined;
  /** `settings.baseUrl`; `undefined` means the regional Bedrock runtime endpoint. */
  endpoint: string | undefined;
  /** `settings.headers`: static headers added to every request (proxies, gateways in front of Bedrock). */
  headers: Record<string, string> | undefined;
}

/**
 * Builds the SDK client for a target. Entry points and tests replace it to pass credentials or
 * other client config; the provider itself never reads the environment.
 */
export type BedrockClientFactory = (target: BedrockTarget) => Promise<BedrockRuntimeClient>;

/** Longest wait for a TCP/TLS connection to the Bedrock endpoint. */
const CONNECTION_TIMEOUT_MS = 5_000;
/**
 * Longest silence on an open connection. No total request timeout: a streamed generation may
 * rightly last many minutes. The gateway's own first-byte, idle and total timeouts (config
 * `timeouts`) normally end a stalled call first; this bounds the SDK call on its own.
 */
const SOCKET_IDLE_TIMEOUT_MS = 300_000;

/**
 * The default client: credentials from the standard AWS chain, one attempt (the gateway's router
 * owns retries and fallback, so SDK retries would multiply them and hide throttling), and an
 * HTTP/1.1 handler with keep-alive and connection and socket timeouts instead of the SDK's default
 * HTTP/2 session, which proxies, `baseUrl` test endpoints and some VPC endpoints do not speak.
 * The SDK is loaded on the first call (see {@link loadBedrockSdk}).
 *
 * @example
 * await createBedrockClient(target, { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
 */
export async function createBedrockClient(target: BedrockTarget, extra: BedrockRuntimeClientConfig = {}): Promise<BedrockRuntimeClient> {
  const [{ BedrockRuntimeClient }, { NodeHttpHandler }] = await Promise.all([loadBedrockSdk(), loadNodeHttpHandler()]);
  const client = new BedrockRuntimeClient({
    region: target.region,
    endpoint: target.endpoint,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: CONNECTION_TIMEOUT_MS, socketTimeout: SOCKET_IDLE_TIMEOUT_MS }),
    ...extra,
  });
  const headers = target.headers;
  if (headers && Object.keys(headers).length > 0) {
    // Added in the build step, before signing, so the static headers are signed like the rest.
    client.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { headers?: Record<string, string> } | undefined;
        if (request?.headers) Object.assign(request.headers, headers);
        return next(args);
      },
      { step: 'build', name: 'switchyardStaticHeaders' },
    );
  }
  return client;
}

/**
 * One client per (region, endpoint, headers), built on first use and reused: building a client resolves
 * credentials and endpoints and opens connections, which must not happen per request.
 */
export class BedrockClients {
  private readonly clients = new Map<string, Promise<BedrockRuntimeClient>>();

  constructor(private readonly factory: BedrockClientFactory) {}

  /** The client for a provider's settings. */
  get(settings: BedrockSettings): Promise<BedrockRuntimeClient> {
    const target: BedrockTarget = {
      region: typeof settings.region === 'string' ? settings.region : undefined,
      endpoint: settings.baseUrl,
      headers: settings.headers,
    };
    const key = `${target.region ?? ''}|${target.endpoint ?? ''}|${target.headers ? JSON.stringify(target.headers) : ''}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.factory(target);
      this.clients.set(key, client);
      // A failed build (say, the SDK could not load) is not cached: the next call tries again.
      client.catch(() => this.clients.delete(key));
    }
    return client;
  }
}
