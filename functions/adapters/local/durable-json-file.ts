import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Identity of a file version, to notice writes by another process. */
interface FileStamp {
  mtimeMs: number;
  size: number;
  ino: number;
}

/**
 * A JSON document on disk, written atomically (temp file, fsync, rename) with group commit: a
 * `save` resolves once a write that includes every change made before it is durable, and
 * changes arriving while a write runs share the next write. All I/O is asynchronous.
 */
export class DurableJsonFile<T> {
  private pending: Promise<void> | undefined;
  private tail: Promise<void> = Promise.resolve();
  private stamp: FileStamp | undefined;
  private writes = 0;

  /**
   * @param snapshot returns the current document; called at the start of each write.
   * @param options.watchOtherWriters keep the file's stamp after each write so
   *   {@link changedOnDisk} can tell our writes from another process's. A file with a single
   *   writer (the spend file) turns it off and saves a `stat` per write.
   * @param options.fsync flush each write to the disk before the rename (default true). Without
   *   it a write still survives a crash of the process (the rename is atomic and the data is in
   *   the OS page cache), only not a crash of the machine.
   */
  constructor(
    readonly path: string,
    private readonly snapshot: () => T,
    private readonly options: { watchOtherWriters: boolean; fsync?: boolean } = { watchOtherWriters: true },
  ) {}

  /** The document on disk, or `undefined` when the file does not exist yet. */
  async load(): Promise<T | undefined> {
    try {
      const [text, stamp] = await Promise.all([readFile(this.path, 'utf8'), stat(this.path)]);
      this.stamp = toStamp(stamp);
      return JSON.parse(text) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /**
   * Whether another process replaced the file since this instance last read or wrote it.
   * Always false while a write of ours is queued, so a reload never drops our own changes.
   */
  async changedOnDisk(): Promise<boolean> {
    if (this.pending || this.writes > 0) return false;
    try {
      const current = toStamp(await stat(this.path));
      const known = this.stamp;
      return !known || known.mtimeMs !== current.mtimeMs || known.size !== current.size || known.ino !== current.ino;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** Persists the current snapshot; resolves when it (or a later one) is durable. */
  save(): Promise<void> {
    if (this.pending) return this.pending;
    const write = this.tail.then(async () => {
      this.pending = undefined;
      this.writes += 1;
      try {
        await this.writeNow(JSON.stringify(this.snapshot()));
      } finally {
        this.writes -= 1;
      }
    });
    this.pending = write;
    this.tail = write.catch(() => undefined);
    return write;
  }

  private async writeNow(text: string): Promise<void> {
    const temp = `${this.path}.${process.pid}.tmp`;
    // Owner-only: the keys file holds key hashes, the spend file what each key spent. The directory
    // is created only when the open finds it missing: one file-system call less on every write.
    const handle = await open(temp, 'w', 0o600).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      await mkdir(dirname(this.path), { recursive: true });
      return open(temp, 'w', 0o600);
    });
    try {
      await handle.writeFile(text, 'utf8');
      if (this.options.fsync ?? true) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.path);
    if (this.options.watchOtherWriters) this.stamp = toStamp(await stat(this.path));
  }
}

function toStamp(stats: { mtimeMs: number; size: number; ino: number }): FileStamp {
  return { mtimeMs: stats.mtimeMs, size: stats.size, ino: stats.ino };
}
