import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as NodeSqlite from 'node:sqlite';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { importJsonDataDir, setAsideImported } from './json-import';

/** The database file of a local data dir. */
export const DATABASE_FILE = 'switchyard.db';

/**
 * The schema, one statement per version: version n is applied to a database at version n - 1
 * (SQLite's `user_version`). Records whose shape the core owns (keys, teams, stored responses)
 * are kept as JSON next to the columns they are looked up by; counters are columns.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE keys (key_id TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, record TEXT NOT NULL) STRICT;
   CREATE TABLE teams (team TEXT PRIMARY KEY, record TEXT NOT NULL) STRICT;
   CREATE TABLE spend_counters (scope TEXT NOT NULL, period_key TEXT NOT NULL, committed INTEGER NOT NULL, spent INTEGER NOT NULL, PRIMARY KEY (scope, period_key)) STRICT, WITHOUT ROWID;
   CREATE TABLE reservations (request_id TEXT PRIMARY KEY, amount INTEGER NOT NULL, counters TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT;
   CREATE TABLE rate_windows (key_id TEXT PRIMARY KEY, minute TEXT NOT NULL, requests INTEGER NOT NULL, tokens INTEGER NOT NULL) STRICT, WITHOUT ROWID;
   CREATE TABLE responses (key_id TEXT NOT NULL, response_id TEXT NOT NULL, created_at INTEGER NOT NULL, record TEXT NOT NULL, PRIMARY KEY (key_id, response_id)) STRICT;`,
  // Previous key hashes still valid after a rotation with a grace period (`keys rotate --grace`).
  `CREATE TABLE rotated_keys (key_hash TEXT PRIMARY KEY, key_id TEXT NOT NULL, valid_until TEXT NOT NULL) STRICT;`,
  // Reservations carry their expiry, their charge if released unsettled and their request (for
  // its usage event). One held before this version is released an hour after it was made,
  // charged in full: nothing better is known of it.
  `ALTER TABLE reservations ADD COLUMN release_at INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE reservations ADD COLUMN charge INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE reservations ADD COLUMN request TEXT NOT NULL DEFAULT '{}';
   UPDATE reservations SET release_at = created_at + 3600000, charge = amount, request = json_object(
     'keyId', coalesce((SELECT substr(json_extract(value, '$.scope'), 5) FROM json_each(counters) WHERE json_extract(value, '$.scope') LIKE 'key#%'), ''),
     'keyName', NULL,
     'team', (SELECT substr(json_extract(value, '$.scope'), 6) FROM json_each(counters) WHERE json_extract(value, '$.scope') LIKE 'team#%'),
     'user', NULL, 'tags', json_object(), 'endpoint', '', 'modelRequested', NULL, 'stream', json('false'),
     'startedAt', created_at, 'inputTokens', 0, 'outputTokens', 0);
   CREATE INDEX reservations_by_release ON reservations (release_at);`,
  // Budgets of tag values (`feature=autocomplete`), whatever the key.
  `CREATE TABLE tag_budgets (tag TEXT PRIMARY KEY, record TEXT NOT NULL) STRICT;`,
  // Each counter keeps its budget's limit and alert thresholds (written by every admission), and
  // each alert sent is recorded, so a threshold alerts once per period.
  `ALTER TABLE spend_counters ADD COLUMN limit_micro INTEGER;
   ALTER TABLE spend_counters ADD COLUMN alerts TEXT;
   CREATE TABLE budget_alerts (scope TEXT NOT NULL, period_key TEXT NOT NULL, threshold REAL NOT NULL, spent INTEGER NOT NULL, sent_at INTEGER NOT NULL, PRIMARY KEY (scope, period_key, threshold)) STRICT, WITHOUT ROWID;`,
];

/**
 * `node:sqlite`, loaded without its "experimental" warning: the API is stable in the Node 22
 * line the project requires (decision 0008), and the warning would be the first line a new
 * user sees from `npm start`.
 */
function loadSqlite(): typeof NodeSqlite {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (!text.includes('SQLite')) (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return createRequire(__filename)('node:sqlite') as typeof NodeSqlite;
  } finally {
    process.emitWarning = emitWarning;
  }
}

/**
 * Opens (creating if needed) the embedded database of a local data dir: `<dataDir>/switchyard.db`,
 * in WAL mode with `synchronous=NORMAL` — a committed transaction survives a killed process (the
 * WAL is written before the commit returns; only an OS crash or power loss can lose the last
 * commits) — and a busy timeout, so the CLI and the server can write at the same time. The file
 * is readable by its owner only (mode 0600; SQLite gives its `-wal` and `-shm` files the same):
 * it holds key hashes, spend and the conversations of stored responses. A new database imports
 * the JSON files of an older data dir (keys.json, spend.json, responses/).
 */
export function openLocalDatabase(dataDir: string): DatabaseSync {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, DATABASE_FILE);
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  const { DatabaseSync: Database } = loadSqlite();
  const db = new Database(path);
  // 1 KiB pages (set before the first table exists): a reservation or settlement touches a few
  // small rows in three tables, and each commit appends every touched page to the WAL, so smaller
  // pages write a quarter of the bytes (decision 0008 has the figures).
  db.exec('PRAGMA page_size = 1024; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
  const schemaVersion = (): number => (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  if (schemaVersion() < MIGRATIONS.length) {
    const imported = inTransaction(db, () => {
      // Read again under the write lock: another process (the CLI, the server) may have migrated meanwhile.
      const version = schemaVersion();
      for (const migration of MIGRATIONS.slice(version)) db.exec(migration);
      db.exec(`PRAGMA user_version = ${MIGRATIONS.length}`);
      return version === 0 ? importJsonDataDir(db, dataDir) : [];
    });
    setAsideImported(imported);
  }
  return db;
}

/**
 * Runs `work` in one write transaction (`BEGIN IMMEDIATE`, so a concurrent writer waits for the
 * busy timeout instead of failing mid-way) and commits, or rolls back when it throws.
 */
function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  const statements = transactionStatements(db);
  statements.begin.run();
  try {
    const result = work();
    statements.commit.run();
    return result;
  } catch (error) {
    if (db.isTransaction) statements.rollback.run();
    throw error;
  }
}

/** BEGIN, COMMIT and ROLLBACK prepared once per connection: the hot path runs two transactions per request. */
const prepared = new WeakMap<DatabaseSync, { begin: StatementSync; commit: StatementSync; rollback: StatementSync }>();

function transactionStatements(db: DatabaseSync): { begin: StatementSync; commit: StatementSync; rollback: StatementSync } {
  let statements = prepared.get(db);
  if (!statements) {
    statements = { begin: db.prepare('BEGIN IMMEDIATE'), commit: db.prepare('COMMIT'), rollback: db.prepare('ROLLBACK') };
    prepared.set(db, statements);
  }
  return statements;
}

/** One piece of work waiting for the next group commit. */
interface QueuedWork {
  work(): unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit: work submitted in the same turn of the event loop runs in one write transaction,
 * each piece in its own savepoint (a piece that throws is undone alone and rejects alone), and
 * every promise settles only once the transaction committed, so nothing is acknowledged before it
 * is durable. Under concurrency many admissions and settlements share one commit — the WAL write
 * that is most of a commit's cost — and a lone request waits no longer than one `setImmediate`.
 */
export class GroupCommitter {
  private static readonly perDatabase = new WeakMap<DatabaseSync, GroupCommitter>();

  /** The committer of `db`, shared by its stores so that their writes of one turn share one commit. */
  static of(db: DatabaseSync): GroupCommitter {
    let committer = GroupCommitter.perDatabase.get(db);
    if (!committer) {
      committer = new GroupCommitter(db);
      GroupCommitter.perDatabase.set(db, committer);
    }
    return committer;
  }

  private queue: QueuedWork[] = [];
  private readonly savepoint: StatementSync;
  private readonly release: StatementSync;
  private readonly undo: StatementSync;

  private constructor(private readonly db: DatabaseSync) {
    this.savepoint = db.prepare('SAVEPOINT work');
    this.release = db.prepare('RELEASE work');
    this.undo = db.prepare('ROLLBACK TO work');
  }

  /** Runs `work` in the next group transaction; resolves with its result once that committed. */
  submit<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.queue.length === 1) setImmediate(() => this.commit());
    });
  }

  private commit(): void {
    const batch = this.queue;
    this.queue = [];
    const results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      inTransaction(this.db, () => {
        for (const { work } of batch) {
          this.savepoint.run();
          try {
            results.push({ ok: true, value: work() });
            this.release.run();
          } catch (error) {
            this.undo.run();
            this.release.run();
            results.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const queued of batch) queued.reject(error);
      return;
    }
    batch.forEach((queued, i) => {
      const result = results[i] as (typeof results)[number];
      if (result.ok) queued.resolve(result.value);
      else queued.reject(result.error);
    });
  }
}
