import type { SwitchyardConfig } from '../../core/config/schema';
import type { SecretStore } from '../../core/ports/secret-store';

/** The usual environment variable of each provider type, used when the Switchyard one is unset. */
const CONVENTIONAL_VARIABLES: Record<string, string> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  gemini: 'GEMINI_API_KEY',
};

/** `SWITCHYARD_SECRET_<NAME>`: upper case, non-alphanumerics as `_` (DESIGN §3). */
function secretVariableName(name: string): string {
  return `SWITCHYARD_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * Local provider secrets from environment variables: `SWITCHYARD_SECRET_<NAME>` for a provider's
 * `apiKeySecret: "NAME"`, falling back to the provider type's usual variable (`OPENAI_API_KEY`, …).
 * The environment is read once, at construction.
 */
export class EnvSecretStore implements SecretStore {
  private readonly values = new Map<string, string>();

  constructor(config: SwitchyardConfig, env: Record<string, string | undefined>) {
    for (const provider of Object.values(config.providers)) {
      const name = provider.apiKeySecret;
      if (name === undefined || this.values.has(name)) continue;
      const fallback = CONVENTIONAL_VARIABLES[provider.type];
      const value = env[secretVariableName(name)] ?? (fallback ? env[fallback] : undefined);
      if (value) this.values.set(name, value);
    }
  }

  async get(name: string): Promise<string | undefined> {
    return this.values.get(name);
  }
}
