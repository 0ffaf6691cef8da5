import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { KeyRecord, TeamRecord } from '../../../core/ports/key-store';
import type { StoredResponse } from '../../../core/ports/response-store';

/** The JSON files of a data dir written before the embedded database (Switchyard ≤ 0.1). */
const KEYS_FILE = 'keys.json';
const SPEND_FILE = 'spend.json';
const RESPONSES_DIR = 'responses';

interface KeysDocument {
  keys?: KeyRecord[];
  teams?: TeamRecord[];
}

interface SpendDocument {
  counters?: Record<string, Record<string, { committed: number; spent: number }>>;
  windows?: Record<string, { minute: string; requests: number; tokens: number }>;
}

function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

/**
 * Copies the keys, teams, spend counters, rate windows and stored responses of an older data
 * dir's JSON files into a new database (inside the caller's transaction). Returns the paths it
 * read, for the caller to set aside once the transaction committed.
 */
export function importJsonDataDir(db: DatabaseSync, dataDir: string): string[] {
  const imported: string[] = [];
  const keys = readJson<KeysDocument>(join(dataDir, KEYS_FILE));
  if (keys) {
    const insertKey = db.prepare('INSERT INTO keys (key_id, key_hash, created_at, record) VALUES (?, ?, ?, ?)');
    for (const record of keys.keys ?? []) insertKey.run(record.keyId, record.keyHash, record.createdAt, JSON.stringify(record));
    const insertTeam = db.prepare('INSERT INTO teams (team, record) VALUES (?, ?)');
    for (const record of keys.teams ?? []) insertTeam.run(record.team, JSON.stringify(record));
    imported.push(join(dataDir, KEYS_FILE));
  }
  const spend = readJson<SpendDocument>(join(dataDir, SPEND_FILE));
  if (spend) {
    const insertCounter = db.prepare('INSERT INTO spend_counters (scope, period_key, committed, spent) VALUES (?, ?, ?, ?)');
    for (const [scope, periods] of Object.entries(spend.counters ?? {})) {
      // Reservations of the old store were never recorded: what was held but not settled is released.
      for (const [period, counter] of Object.entries(periods)) insertCounter.run(scope, period, counter.spent, counter.spent);
    }
    const insertWindow = db.prepare('INSERT INTO rate_windows (key_id, minute, requests, tokens) VALUES (?, ?, ?, ?)');
    for (const [keyId, window] of Object.entries(spend.windows ?? {})) insertWindow.run(keyId, window.minute, window.requests, window.tokens);
    imported.push(join(dataDir, SPEND_FILE));
  }
  const responsesDir = join(dataDir, RESPONSES_DIR);
  if (existsSync(responsesDir)) {
    const insertResponse = db.prepare('INSERT OR REPLACE INTO responses (key_id, response_id, created_at, record) VALUES (?, ?, ?, ?)');
    for (const keyId of readdirSync(responsesDir)) {
      for (const file of readdirSync(join(responsesDir, keyId)).filter((name) => name.endsWith('.json'))) {
        const record = JSON.parse(readFileSync(join(responsesDir, keyId, file), 'utf8')) as StoredResponse;
        insertResponse.run(record.keyId, record.responseId, record.createdAt, JSON.stringify(record));
      }
    }
    imported.push(responsesDir);
  }
  return imported;
}

/** Renames imported files and folders to `<name>.imported`, so nobody edits them expecting an effect. */
export function setAsideImported(paths: readonly string[]): void {
  for (const path of paths) renameSync(path, `${path}.imported`);
}
