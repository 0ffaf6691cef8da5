import { sha256Hex } from '../pipeline/authenticate';
import type { KeyRecord } from '../ports/key-store';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Uniform random base62 string (rejection sampling, no modulo bias). */
function randomBase62(length: number): string {
  let out = '';
  const bytes = new Uint8Array(length * 2);
  while (out.length < length) {
    crypto.getRandomValues(bytes);
    for (const byte of bytes) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** A fresh plaintext virtual key: `sk-sy-` and 40 base62 characters (~238 bits). */
function generateVirtualKey(): string {
  return `sk-sy-${randomBase62(40)}`;
}

/** Attributes of a key to create: the settings of a key record, without its identity. */
export type NewKeyOptions = Pick<KeyRecord, 'name' | 'team' | 'models' | 'budget' | 'rpm' | 'tpm' | 'expiresAt' | 'audit'>;

/**
 * Creates a key record and its plaintext. The plaintext is returned once to be shown to the user;
 * only its SHA-256 goes into the record.
 */
export async function createKeyRecord(options: NewKeyOptions, now: Date): Promise<{ key: string; record: KeyRecord }> {
  const key = generateVirtualKey();
  const record: KeyRecord = {
    keyId: `key_${randomBase62(16)}`,
    keyHash: await sha256Hex(key),
    name: options.name,
    createdAt: now.toISOString(),
    hint: key.slice(-4),
  };
  if (options.team !== undefined) record.team = options.team;
  if (options.models !== undefined && options.models.length > 0) record.models = options.models;
  if (options.budget !== undefined) record.budget = options.budget;
  if (options.rpm !== undefined) record.rpm = options.rpm;
  if (options.tpm !== undefined) record.tpm = options.tpm;
  if (options.expiresAt !== undefined) record.expiresAt = options.expiresAt;
  if (options.audit !== undefined) record.audit = options.audit;
  return { key, record };
}

/** A new plaintext for an existing key: same keyId and settings, new hash. */
export async function rotateKeyRecord(record: KeyRecord): Promise<{ key: string; record: KeyRecord }> {
  const key = generateVirtualKey();
  return { key, record: { ...record, keyHash: await sha256Hex(key), hint: key.slice(-4) } };
}
