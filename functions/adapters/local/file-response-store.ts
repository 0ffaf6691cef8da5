import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ResponseStore, StoredResponse } from '../../core/ports/response-store';

/** Ids as the gateway makes them (`resp_` and URL-safe characters): nothing else names a file. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Stored responses for `switchyard serve`: one JSON file per response under
 * `<data-dir>/responses/<keyId>/<responseId>.json`, written atomically (temp file and rename), so a
 * response survives a restart. A response is readable as soon as `put` is called (it is kept in
 * memory until its file is written), so a client that retrieves it right after the stream ended
 * finds it.
 */
export class FileResponseStore implements ResponseStore {
  private readonly pending = new Map<string, StoredResponse>();

  constructor(private readonly dir: string) {}

  async put(record: StoredResponse): Promise<void> {
    const path = this.path(record.keyId, record.responseId);
    if (!path) throw new Error(`unsafe response id ${record.responseId}`);
    const memo = `${record.keyId}/${record.responseId}`;
    this.pending.set(memo, record);
    try {
      await mkdir(join(this.dir, record.keyId), { recursive: true });
      // A temp file of its own per write: two writes of one id (a target that reuses ids) never share one.
      const temp = `${path}.${randomUUID()}.tmp`;
      await writeFile(temp, JSON.stringify(record));
      await rename(temp, path);
    } finally {
      this.pending.delete(memo);
    }
  }

  async get(keyId: string, responseId: string): Promise<StoredResponse | undefined> {
    const path = this.path(keyId, responseId);
    if (!path) return undefined;
    const pending = this.pending.get(`${keyId}/${responseId}`);
    if (pending) return pending;
    try {
      return JSON.parse(await readFile(path, 'utf8')) as StoredResponse;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(keyId: string, responseId: string): Promise<boolean> {
    if (!(await this.get(keyId, responseId))) return false;
    await rm(this.path(keyId, responseId) as string, { force: true });
    return true;
  }

  private path(keyId: string, responseId: string): string | undefined {
    return SAFE_ID.test(keyId) && SAFE_ID.test(responseId) ? join(this.dir, keyId, `${responseId}.json`) : undefined;
  }
}
