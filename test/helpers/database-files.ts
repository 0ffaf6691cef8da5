import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATABASE_FILE } from '../../functions/adapters/local/sqlite/database';

/**
 * The raw bytes of a data dir's embedded database and its write-ahead log, as text, for tests
 * that scan what is stored on disk (a plaintext key must never be there).
 */
export async function readDatabaseFiles(dataDir: string): Promise<string> {
  const parts = await Promise.all(['', '-wal'].map((suffix) => readFile(join(dataDir, `${DATABASE_FILE}${suffix}`)).catch(() => Buffer.alloc(0))));
  return Buffer.concat(parts).toString('latin1');
}
