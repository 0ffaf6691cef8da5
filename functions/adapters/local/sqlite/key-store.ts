import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { withinGrace } from '../../../core/keys/grace';
import type { KeyAdminStore, KeyRecord, TagBudgetRecord, TeamRecord } from '../../../core/ports/key-store';

/**
 * Virtual keys, team budgets and tag budgets in the embedded database, for `switchyard serve` and the CLI; a
 * key's previous hash stays in `rotated_keys` for the grace period of a rotation.
 * Every lookup reads the database, so a key the CLI creates or revokes while the server runs
 * takes effect at once (the gateway's own key cache aside).
 */
export class SqliteKeyStore implements KeyAdminStore {
  private readonly byHash: StatementSync;
  private readonly byId: StatementSync;
  private readonly team: StatementSync;
  private readonly insert: StatementSync;
  private readonly all: StatementSync;
  private readonly update: StatementSync;
  private readonly upsertTeam: StatementSync;
  private readonly allTeams: StatementSync;
  private readonly upsertTag: StatementSync;
  private readonly allTags: StatementSync;
  private readonly rotatedFrom: StatementSync;
  private readonly keepRotated: StatementSync;

  constructor(db: DatabaseSync) {
    this.byHash = db.prepare('SELECT record FROM keys WHERE key_hash = ?');
    this.byId = db.prepare('SELECT record FROM keys WHERE key_id = ?');
    this.team = db.prepare('SELECT record FROM teams WHERE team = ?');
    this.insert = db.prepare('INSERT INTO keys (key_id, key_hash, created_at, record) VALUES (?, ?, ?, ?)');
    this.all = db.prepare('SELECT record FROM keys ORDER BY created_at, key_id');
    this.update = db.prepare('UPDATE keys SET key_hash = ?, created_at = ?, record = ? WHERE key_id = ?');
    this.allTeams = db.prepare('SELECT record FROM teams ORDER BY team');
    this.upsertTeam = db.prepare('INSERT INTO teams (team, record) VALUES (?, ?) ON CONFLICT (team) DO UPDATE SET record = excluded.record');
    this.upsertTag = db.prepare('INSERT INTO tag_budgets (tag, record) VALUES (?, ?) ON CONFLICT (tag) DO UPDATE SET record = excluded.record');
    this.allTags = db.prepare('SELECT record FROM tag_budgets ORDER BY tag');
    this.rotatedFrom = db.prepare('SELECT k.record AS record, r.valid_until AS validUntil FROM rotated_keys r JOIN keys k ON k.key_id = r.key_id WHERE r.key_hash = ?');
    this.keepRotated = db.prepare('INSERT OR REPLACE INTO rotated_keys (key_hash, key_id, valid_until) VALUES (?, ?, ?)');
  }

  async findByHash(keyHash: string): Promise<KeyRecord | undefined> {
    const current = parsed<KeyRecord>(this.byHash.get(keyHash));
    if (current) return current;
    const rotated = this.rotatedFrom.get(keyHash) as { record: string; validUntil: string } | undefined;
    return rotated ? withinGrace(JSON.parse(rotated.record) as KeyRecord, rotated.validUntil) : undefined;
  }

  async findTeam(team: string): Promise<TeamRecord | undefined> {
    return parsed<TeamRecord>(this.team.get(team));
  }

  async put(record: KeyRecord): Promise<void> {
    try {
      this.insert.run(record.keyId, record.keyHash, record.createdAt, JSON.stringify(record));
    } catch (error) {
      if (isConstraintError(error)) throw new Error(`Key ${record.keyId} already exists.`);
      throw error;
    }
  }

  async get(keyId: string): Promise<KeyRecord | undefined> {
    return parsed<KeyRecord>(this.byId.get(keyId));
  }

  async list(): Promise<KeyRecord[]> {
    return this.all.all().map((row) => parsed<KeyRecord>(row) as KeyRecord);
  }

  async replace(record: KeyRecord, options: { graceUntil?: string } = {}): Promise<void> {
    const previous = parsed<KeyRecord>(this.byId.get(record.keyId));
    if (!previous) throw new Error(`No key with id ${record.keyId}.`);
    this.update.run(record.keyHash, record.createdAt, JSON.stringify(record), record.keyId);
    if (options.graceUntil !== undefined && previous.keyHash !== record.keyHash) this.keepRotated.run(previous.keyHash, record.keyId, options.graceUntil);
  }

  async putTeam(record: TeamRecord): Promise<void> {
    this.upsertTeam.run(record.team, JSON.stringify(record));
  }

  async listTeams(): Promise<TeamRecord[]> {
    return this.allTeams.all().map((row) => parsed<TeamRecord>(row) as TeamRecord);
  }

  async putTagBudget(record: TagBudgetRecord): Promise<void> {
    this.upsertTag.run(record.tag, JSON.stringify(record));
  }

  async listTagBudgets(): Promise<TagBudgetRecord[]> {
    return this.allTags.all().map((row) => parsed<TagBudgetRecord>(row) as TagBudgetRecord);
  }
}

/** The JSON `record` column of a row, parsed; `undefined` for no row. */
export function parsed<T>(row: unknown): T | undefined {
  return row === undefined ? undefined : (JSON.parse((row as { record: string }).record) as T);
}

function isConstraintError(error: unknown): boolean {
  return (error as { code?: string }).code === 'ERR_SQLITE_ERROR' && /UNIQUE constraint failed/.test((error as Error).message);
}
