import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KeyAdminStore, KeyRecord } from '../../core/ports/key-store';

/**
 * Virtual keys in one JSON file of the local data dir (only hashes, never plaintext keys).
 * Loaded once and served from memory; writes go to a temp file renamed over the old one, so a
 * crash never leaves a half-written file. Writes are serialised within the process.
 *
 * Several processes (the server and the CLI) share the file: the server re-reads it when a key
 * is not found in memory, so a key created by the CLI works without a restart, and re-reads at
 * most every `refreshMs` to pick up revocations.
 */
export class FileKeyStore implements KeyAdminStore {
  private byHash = new Map<string, KeyRecord>();
  private loadedAt = -Infinity;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly refreshMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  async findByHash(keyHash: string): Promise<KeyRecord | undefined> {
    if (this.now() - this.loadedAt > this.refreshMs) await this.load();
    const found = this.byHash.get(keyHash);
    if (found) return found;
    await this.load();
    return this.byHash.get(keyHash);
  }

  async get(keyId: string): Promise<KeyRecord | undefined> {
    await this.load();
    for (const record of this.byHash.values()) if (record.keyId === keyId) return record;
    return undefined;
  }

  async list(): Promise<KeyRecord[]> {
    await this.load();
    return [...this.byHash.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async put(record: KeyRecord): Promise<void> {
    await this.mutate((records) => {
      if (records.some((existing) => existing.keyId === record.keyId)) throw new Error(`key ${record.keyId} already exists`);
      records.push(record);
    });
  }

  async replace(record: KeyRecord): Promise<void> {
    await this.mutate((records) => {
      const index = records.findIndex((existing) => existing.keyId === record.keyId);
      if (index === -1) throw new Error(`no key ${record.keyId}`);
      records[index] = record;
    });
  }

  private async mutate(change: (records: KeyRecord[]) => void): Promise<void> {
    const next = this.writing.then(async () => {
      await this.load();
      const records = [...this.byHash.values()];
      change(records);
      await mkdir(dirname(this.path), { recursive: true });
      const temp = `${this.path}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify({ keys: records }, null, 2) + '\n', { mode: 0o600 });
      await rename(temp, this.path);
      this.index(records);
    });
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      text = '{"keys":[]}';
    }
    this.index((JSON.parse(text) as { keys: KeyRecord[] }).keys);
  }

  private index(records: KeyRecord[]): void {
    this.byHash = new Map(records.map((record) => [record.keyHash, record]));
    this.loadedAt = this.now();
  }
}
