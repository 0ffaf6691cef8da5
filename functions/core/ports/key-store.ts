/** Budget period of a key or team: UTC calendar day, UTC calendar month, or lifetime. */
export type BudgetPeriod = 'day' | 'month' | 'total';

/** A spending limit in USD over a period. */
export interface Budget {
  usd: number;
  period: BudgetPeriod;
}

/**
 * A virtual key as stored. The plaintext key is never stored: `keyHash` is the hex SHA-256 of it.
 */
export interface KeyRecord {
  /** Public identifier, safe to log and show (`key_…`). */
  keyId: string;
  /** Hex SHA-256 of the plaintext key. */
  keyHash: string;
  name: string;
  team?: string;
  /** Model aliases this key may use; empty or absent means all. */
  models?: string[];
  budget?: Budget;
  rpm?: number;
  tpm?: number;
  /** ISO-8601 expiry instant; absent means never. */
  expiresAt?: string;
  revoked?: boolean;
  /** ISO-8601 creation instant. */
  createdAt: string;
  /** The last four characters of the plaintext key, for recognising it in listings. */
  hint?: string;
}

/** Looks up virtual keys by the hash of their plaintext. */
export interface KeyStore {
  /** The record whose `keyHash` equals `keyHash`, or `undefined`. */
  findByHash(keyHash: string): Promise<KeyRecord | undefined>;
}

/** Admin operations on virtual keys, used by the CLI (not on the request path). */
export interface KeyAdminStore extends KeyStore {
  put(record: KeyRecord): Promise<void>;
  get(keyId: string): Promise<KeyRecord | undefined>;
  list(): Promise<KeyRecord[]>;
  /** Replaces the record identified by `record.keyId` (hash may change on rotation). */
  replace(record: KeyRecord): Promise<void>;
}
