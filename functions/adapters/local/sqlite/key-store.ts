import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { KeyAdminStore, KeyRecord, TeamRecord } from '../../../core/ports/key-store';

/**
 * Virtual keys and team budgets in the embedded database, for `switchyard serve` and the CLI.
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

  constructor(db: DatabaseSync) {
    this.byHash = db.prepare('SELECT record FROM keys WHERE key_hash = ?');
    this.byId = db.prepare('SELECT record FROM keys WHERE key_id = ?');
    this.team = db.prepare('SELECT record FROM teams WHERE team = ?');
    this.insert = db.prepare('INSERT INTO keys (key_id, key_hash, created_at, record) VALUES (?, ?, ?, ?)');
    this.all = db.prepare('SELECT record FROM keys ORDER BY created_at, key_id');
    this.update = db.prepare('UPDATE keys SET key_hash = ?, created_at = ?, record = ? WHERE key_id = ?');
    this.upsertTeam = db.prepare('INSERT INTO teams (team, record) VALUES (?, ?) ON CONFLICT (team) DO UPDATE SET record = excluded.record');
  }

  async findByHash(keyHash: string): Promise<KeyRecord | undefined> {
    return parsed<KeyRecord>(this.byHash.get(keyHash));
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

  async replace(record: KeyRecord): Promise<void> {
    const { changes } = this.update.run(record.keyHash, record.createdAt, JSON.stringify(record), record.keyId);
    if (changes === 0) throw new Error(`No key with id ${record.keyId}.`);
  }

  async putTeam(record: TeamRecord): Promise<void> {
    this.upsertTeam.run(record.team, JSON.stringify(record));
  }
}

/** The JSON `record` column of a row, parsed; `undefined` for no row. */
export function parsed<T>(row: unknown): T | undefined {
  return row === undefined ? undefined : (JSON.parse((row as { record: string }).record) as T);
}

function isConstraintError(error: unknown): boolean {
  return (error as { code?: string }).code === 'ERR_SQLITE_ERROR' && /UNIQUE constraint failed/.test((error as Error).message);
}
