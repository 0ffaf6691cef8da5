import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { Logger } from '../../core/ports/logger';
import type { SecretStore } from '../../core/ports/secret-store';

/** Options of {@link SecretsManagerSecretStore}. */
export interface SecretsManagerSecretStoreOptions {
  /** Powertools Parameters provider (with its Secrets Manager client). */
  provider: SecretsProvider;
  /** Name prefix, `switchyard/<stage>-<suffix>/`: `apiKeySecret: "openai"` reads `<prefix>openai`. */
  prefix: string;
  /** Seconds a value is served from cache before it is fetched again (default 300). */
  maxAgeSeconds?: number;
  logger: Logger;
}

/**
 * Provider API keys from Secrets Manager, through Powertools Parameters so a warm function reads
 * each secret once per `maxAge`. When a refresh fails (Secrets Manager or the network is down)
 * the last value read is served and a warning logged: an outage after warm-up does not take the
 * gateway down. A secret that exists without a value yet is "not set" (`undefined`).
 */
export class SecretsManagerSecretStore implements SecretStore {
  private readonly lastKnown = new Map<string, string>();
  private readonly maxAge: number;

  constructor(private readonly options: SecretsManagerSecretStoreOptions) {
    this.maxAge = options.maxAgeSeconds ?? 300;
  }

  async get(name: string): Promise<string | undefined> {
    const secretId = `${this.options.prefix}${name}`;
    try {
      const value = await this.options.provider.get(secretId, { maxAge: this.maxAge });
      if (typeof value !== 'string') return undefined;
      this.lastKnown.set(name, value);
      return value;
    } catch (error) {
      if (isNotFound(error)) {
        this.lastKnown.delete(name);
        return undefined;
      }
      const stale = this.lastKnown.get(name);
      if (stale === undefined) throw error;
      this.options.logger.warn('secret refresh failed; serving the last value read', { secretId, error: String(error) });
      return stale;
    }
  }
}

// Powertools wraps SDK errors in GetParameterError with the SDK error as `cause`.
function isNotFound(error: unknown): boolean {
  const cause = (error as { cause?: { name?: string } } | undefined)?.cause;
  return cause?.name === 'ResourceNotFoundException';
}
