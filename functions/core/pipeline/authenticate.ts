import { authenticationError, serviceUnavailable } from '../errors';
import type { AuditLevel } from '../audit/audit-record';
import type { Budget, KeyRecord, KeyStore } from '../ports/key-store';

/** The authenticated caller of a request: what the gateway knows about its virtual key. */
export interface Principal {
  keyId: string;
  keyName: string;
  team: string | undefined;
  /** Allowed model aliases; undefined or empty means all. */
  models: string[] | undefined;
  budget: Budget | undefined;
  /** The budget of each distinct end user of the key. */
  perUserBudget?: Budget | undefined;
  rpm: number | undefined;
  tpm: number | undefined;
  /** The key's own audit level, if it sets one (else its team's, else the config default). */
  audit?: AuditLevel | undefined;
}

/** A SHA-256 hex digest function: synchronous (node:crypto) or asynchronous (Web Crypto). */
export type HashHex = (text: string) => string | Promise<string>;

/**
 * Hex SHA-256 of a string, with Web Crypto (available in Node 20+ and Lambda). The runtime-agnostic
 * default; on Node, entry points inject node:crypto's synchronous hash through `GatewayDeps.hashKey`,
 * because Web Crypto's digest is a thread-pool job that costs ~0.1 ms of CPU per request.
 */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  const bytes = new Uint8Array(digest);
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += (bytes[i] as number).toString(16).padStart(2, '0');
  return hex;
}

/**
 * The virtual key a request carries: the bearer token of `Authorization` (OpenAI clients, Claude
 * Code with `ANTHROPIC_AUTH_TOKEN`), else `x-api-key` (the Anthropic SDK, Claude Code with
 * `ANTHROPIC_API_KEY`); undefined when there is neither.
 */
export function virtualKeyOf(authorization: string | null, apiKey: string | null = null): string | undefined {
  if (authorization) return /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  const key = apiKey?.trim();
  return key ? key : undefined;
}

/** The principal of a key record (after the record was checked). */
function principalOf(record: KeyRecord): Principal {
  return {
    keyId: record.keyId,
    keyName: record.name,
    team: record.team,
    models: record.models,
    budget: record.budget,
    perUserBudget: record.perUserBudget,
    rpm: record.rpm,
    tpm: record.tpm,
    audit: record.audit,
  };
}

/**
 * Authenticates a virtual key: the key is hashed and looked up by hash (the plaintext is never
 * stored or compared). Unknown, revoked and expired keys are 401s with distinct codes.
 */
export async function authenticate(token: string | undefined, keyStore: KeyStore, nowMs: number, hashHex: HashHex = sha256Hex): Promise<Principal> {
  if (!token) {
    throw authenticationError('Missing API key. Send your Switchyard virtual key as "Authorization: Bearer sk-sy-…" or "x-api-key: sk-sy-…".', 'missing_api_key');
  }
  const keyHash = await hashHex(token);
  // Fail closed: a key that cannot be checked is never served.
  const record = await keyStore.findByHash(keyHash).catch((error: unknown) => {
    throw serviceUnavailable('The key store is unavailable; the request was not served.', error);
  });
  if (!record) throw authenticationError('Incorrect API key provided.', 'invalid_api_key');
  if (record.revoked) throw authenticationError('This API key has been revoked.', 'key_revoked');
  if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= nowMs) {
    throw authenticationError('This API key has expired.', 'key_expired');
  }
  return principalOf(record);
}
