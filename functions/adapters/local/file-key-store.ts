import type { KeyAdminStore, KeyRecord, TeamRecord } from '../../core/ports/key-store';
import { DurableJsonFile } from './durable-json-file';

/** The keys file as stored. */
interface KeysDocument {
  keys: KeyRecord[];
  teams: TeamRecord[];
}

/**
 * Key store in one JSON file (`<data-dir>/keys.json`) for `switchyard serve` and the CLI.
 * Lookups are served from memory; before each lookup the file is checked for a newer version
 * written by another process (the CLI creating or revoking a key while the server runs) and
 * reloaded. Changes are applied in memory at once and written atomically.
 */
export class FileKeyStore implements KeyAdminStore {
  private keys = new Map<string, KeyRecord>();
  private teams = new Map<string, TeamRecord>();
  private readonly file: DurableJsonFile<KeysDocument>;
  private loaded: Promise<void> | undefined;

  /** A store on the keys file at `path` (created on first write); nothing is read until first use. */
  constructor(path: string) {
    this.file = new DurableJsonFile(path, () => ({ keys: [...this.keys.values()], teams: [...this.teams.values()] }));
  }

  async findByHash(keyHash: string): Promise<KeyRecord | undefined> {
    await this.refresh();
    return this.keys.get(keyHash);
  }

  async findTeam(team: string): Promise<TeamRecord | undefined> {
    await this.refresh();
    return this.teams.get(team);
  }

  async put(record: KeyRecord): Promise<void> {
    await this.refresh();
    if (this.keys.has(record.keyHash) || this.byId(record.keyId)) throw new Error(`Key ${record.keyId} already exists.`);
    this.keys.set(record.keyHash, record);
    await this.file.save();
  }

  async get(keyId: string): Promise<KeyRecord | undefined> {
    await this.refresh();
    return this.byId(keyId);
  }

  async list(): Promise<KeyRecord[]> {
    await this.refresh();
    return [...this.keys.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.keyId.localeCompare(b.keyId));
  }

  async replace(record: KeyRecord): Promise<void> {
    await this.refresh();
    const current = this.byId(record.keyId);
    if (!current) throw new Error(`No key with id ${record.keyId}.`);
    this.keys.delete(current.keyHash);
    this.keys.set(record.keyHash, record);
    await this.file.save();
  }

  async putTeam(record: TeamRecord): Promise<void> {
    await this.refresh();
    this.teams.set(record.team, record);
    await this.file.save();
  }

  private byId(keyId: string): KeyRecord | undefined {
    for (const record of this.keys.values()) if (record.keyId === keyId) return record;
    return undefined;
  }

  private async refresh(): Promise<void> {
    this.loaded ??= this.reload();
    await this.loaded;
    if (await this.file.changedOnDisk()) await this.reload();
  }

  private async reload(): Promise<void> {
    const document = await this.file.load();
    this.keys = new Map((document?.keys ?? []).map((record) => [record.keyHash, record]));
    this.teams = new Map((document?.teams ?? []).map((record) => [record.team, record]));
  }
}
