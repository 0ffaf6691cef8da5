import type { KeyRecord } from '../ports/key-store';

/**
 * A key record as found through its previous plaintext, during the grace period of a rotation
 * (`keys rotate --grace`): the current record, expiring at the end of the grace period at the
 * latest, so authentication refuses the old key once it is over while every other setting
 * (revocation, budget, models) is the key's own.
 */
export function withinGrace(record: KeyRecord, validUntil: string): KeyRecord {
  return { ...record, expiresAt: record.expiresAt !== undefined && record.expiresAt < validUntil ? record.expiresAt : validUntil };
}
