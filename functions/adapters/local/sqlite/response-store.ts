import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ResponseStore, StoredResponse } from '../../../core/ports/response-store';
import { GroupCommitter } from './database';
import { parsed } from './key-store';

/**
 * Stored Responses API responses in the embedded database, per key, kept until deleted. A put is
 * committed before it resolves, so a client that retrieves a response right after its stream
 * ended finds it; the puts of one turn of the event loop share one commit with the spend store's
 * work ({@link GroupCommitter}).
 */
export class SqliteResponseStore implements ResponseStore {
  private readonly upsert: StatementSync;
  private readonly select: StatementSync;
  private readonly remove: StatementSync;
  private readonly commits: GroupCommitter;

  constructor(db: DatabaseSync) {
    this.commits = GroupCommitter.of(db);
    this.upsert = db.prepare('INSERT OR REPLACE INTO responses (key_id, response_id, created_at, record) VALUES (?, ?, ?, ?)');
    this.select = db.prepare('SELECT record FROM responses WHERE key_id = ? AND response_id = ?');
    this.remove = db.prepare('DELETE FROM responses WHERE key_id = ? AND response_id = ?');
  }

  async put(record: StoredResponse): Promise<void> {
    const json = JSON.stringify(record);
    await this.commits.submit(() => this.upsert.run(record.keyId, record.responseId, record.createdAt, json));
  }

  async get(keyId: string, responseId: string): Promise<StoredResponse | undefined> {
    return parsed<StoredResponse>(this.select.get(keyId, responseId));
  }

  async delete(keyId: string, responseId: string): Promise<boolean> {
    return this.remove.run(keyId, responseId).changes === 1;
  }
}
