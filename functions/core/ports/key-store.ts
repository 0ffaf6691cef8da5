import type { AuditLevel } from '../audit/audit-record';

/** Budget periods: UTC calendar day, ISO week (Monday to Sunday, UTC), UTC calendar month, or lifetime. */
export const BUDGET_PERIODS = ['day', 'week', 'month', 'total'] as const;
/** Budget period of a key or team, one of {@link BUDGET_PERIODS}. */
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** A spending limit in USD over a period. */
export interface Budget {
  usd: number;
  period: BudgetPeriod;
  /** Alert thresholds, percent of `usd` (`[50, 80, 100]`); absent: the config's `budgets.alerts`. */
  alerts?: number[];
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
  /** The budget of each distinct end user of this key (`user`, `metadata.user_id`, `x-switchyard-user`). */
  perUserBudget?: Budget;
  rpm?: number;
  tpm?: number;
  /** ISO-8601 expiry instant; absent means never. */
  expiresAt?: string;
  revoked?: boolean;
  /** ISO-8601 creation instant. */
  createdAt: string;
  /** The last four characters of the plaintext key, for recognising it in listings. */
  hint?: string;
  /** The audit level of this key's requests; absent: its team's, else the config's `audit.default`. */
  audit?: AuditLevel;
}

/**
 * A team as stored: its budgets and audit level. Teams exist implicitly through their keys; a
 * team record is needed only to give the team a budget or an audit level (`switchyard budget set --team`).
 */
export interface TeamRecord {
  team: string;
  /** Shared by all the team's keys. */
  budget?: Budget;
  /** The budget of each distinct end user, across all the team's keys. */
  perUserBudget?: Budget;
  /** The audit level of the team's keys that set none; absent: the config's `audit.default`. */
  audit?: AuditLevel;
}

/**
 * The budget of one tag value (`feature=autocomplete`), shared by every request that carries the
 * tag, whatever its key (`switchyard budget set --tag NAME=VALUE`).
 */
export interface TagBudgetRecord {
  /** `NAME=VALUE`. */
  tag: string;
  budget: Budget;
}

/**
 * Looks up virtual keys by the hash of their plaintext, and team budgets. The gateway's only
 * read path; both results are cached briefly by the authenticator.
 * Implementations throw when the store is unreachable (the gateway answers 503).
 */
export interface KeyStore {
  /** The record whose `keyHash` equals `keyHash`, or `undefined`. */
  findByHash(keyHash: string): Promise<KeyRecord | undefined>;
  /** The team record of `team`, or `undefined` when the team has no budget set. */
  findTeam(team: string): Promise<TeamRecord | undefined>;
  /**
   * Every tag budget, by tag. They are few (an operator sets each), so the gateway reads them all
   * at once, cached, and matches a request's tags in memory: however many distinct tag values
   * requests carry, no tag costs a store read of its own.
   */
  listTagBudgets(): Promise<TagBudgetRecord[]>;
}

/** Admin operations on virtual keys and teams, used by the CLI (not on the request path). */
export interface KeyAdminStore extends KeyStore {
  /** Stores a new key; rejects when `keyId` or `keyHash` already exists. */
  put(record: KeyRecord): Promise<void>;
  get(keyId: string): Promise<KeyRecord | undefined>;
  /** All keys, oldest first. */
  list(): Promise<KeyRecord[]>;
  /**
   * Replaces the record identified by `record.keyId` (hash may change on rotation). On a rotation
   * with `graceUntil` (ISO-8601), the previous plaintext keeps working until then: `findByHash`
   * of the old hash finds the current record, its `expiresAt` no later than `graceUntil`, so a
   * revocation or a budget change applies to both keys. Without it the old key stops at once.
   */
  replace(record: KeyRecord, options?: { graceUntil?: string }): Promise<void>;
  /** Creates or replaces a team record. */
  putTeam(record: TeamRecord): Promise<void>;
  /** All team records (teams with a budget set), by name. */
  listTeams(): Promise<TeamRecord[]>;
  /** Creates or replaces the budget of a tag value. */
  putTagBudget(record: TagBudgetRecord): Promise<void>;
}
