import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** An append waiting for its turn. */
interface QueuedAppend {
  path: string;
  text: string;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Appends text to files asynchronously, strictly in call order, keeping each file open between
 * appends. The local server writes usage and metric lines with it so no request does synchronous
 * I/O and concurrent requests cannot interleave half lines. Appends that queue up while a write
 * runs are written together, one write per file (group commit): under load that is one system
 * call for many requests instead of one each.
 */
export class OrderedAppender {
  private queue: QueuedAppend[] = [];
  private draining: Promise<void> | undefined;
  private readonly handles = new Map<string, FileHandle>();

  /** Appends `text` to `path` (creating its directory) after every earlier append has finished. */
  append(path: string, text: string): Promise<void> {
    const written = new Promise<void>((resolve, reject) => this.queue.push({ path, text, resolve, reject }));
    this.draining ??= this.drain();
    return written;
  }

  /** Resolves once every append requested so far has finished (successfully or not). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Waits for every pending append, then closes the files. */
  async close(): Promise<void> {
    await this.idle();
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map((handle) => handle.close()));
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        // Group by file, keeping call order within each file; a failed write rejects only the
        // appends of that file.
        const byPath = new Map<string, QueuedAppend[]>();
        for (const entry of batch) {
          const entries = byPath.get(entry.path);
          if (entries) entries.push(entry);
          else byPath.set(entry.path, [entry]);
        }
        for (const [path, entries] of byPath) {
          try {
            await this.write(path, entries.length === 1 ? (entries[0] as QueuedAppend).text : entries.map((entry) => entry.text).join(''));
            for (const entry of entries) entry.resolve();
          } catch (error) {
            for (const entry of entries) entry.reject(error);
          }
        }
      }
    } finally {
      this.draining = undefined;
    }
  }

  private async write(path: string, text: string): Promise<void> {
    let handle = this.handles.get(path);
    if (!handle) {
      await mkdir(dirname(path), { recursive: true });
      handle = await open(path, 'a');
      this.handles.set(path, handle);
    }
    await handle.write(text);
  }
}
