/** Resolves provider API keys by their configured `apiKeySecret` name. */
export interface SecretStore {
  /** The secret value, or `undefined` when it is not set. Throws when the store is unreachable. */
  get(name: string): Promise<string | undefined>;
}
