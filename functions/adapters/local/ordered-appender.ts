import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** An append waiting for its turn. */
interface QueuedAppend {
  path: string;
  text: string;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Appends text to files strictly in call order, keeping each file open between appends. The local
 * server writes usage, audit and metric lines with it; concurrent requests cannot interleave half
 * lines. The appends made in one turn of the event loop are written together at the end of it, one
 * write per file (group commit), and each promise resolves once its text is written.
 *
 * The write is synchronous: appending a few kilobytes to a local file lands in the page cache in a
 * few microseconds, while an asynchronous write's hop to libuv's thread pool and back costs five
 * times that in CPU (decision 0011). The event loop is held only for that one write per turn.
 */
export class OrderedAppender {
  private queue: QueuedAppend[] = [];
  private scheduled: Promise<void> | undefined;
  private readonly descriptors = new Map<string, number>();

  /** Appends `text` to `path` (creating its directory) after every earlier append. */
  append(path: string, text: string): Promise<void> {
    const written = new Promise<void>((resolve, reject) => this.queue.push({ path, text, resolve, reject }));
    this.scheduled ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        this.scheduled = undefined;
        this.writeQueued();
        resolve();
      }),
    );
    return written;
  }

  /** Resolves once every append requested so far has finished (successfully or not). */
  async idle(): Promise<void> {
    while (this.scheduled) await this.scheduled;
  }

  /** Waits for every pending append, then closes the files. */
  async close(): Promise<void> {
    await this.idle();
    for (const descriptor of this.descriptors.values()) closeSync(descriptor);
    this.descriptors.clear();
  }

  private writeQueued(): void {
    const batch = this.queue;
    this.queue = [];
    // Grouped by file, in call order within each file; a failed write rejects only the appends of that file.
    const byPath = new Map<string, QueuedAppend[]>();
    for (const entry of batch) {
      const entries = byPath.get(entry.path);
      if (entries) entries.push(entry);
      else byPath.set(entry.path, [entry]);
    }
    for (const [path, entries] of byPath) {
      try {
        this.write(path, entries.length === 1 ? (entries[0] as QueuedAppend).text : entries.map((entry) => entry.text).join(''));
        for (const entry of entries) entry.resolve();
      } catch (error) {
        for (const entry of entries) entry.reject(error);
      }
    }
  }

  private write(path: string, text: string): void {
    let descriptor = this.descriptors.get(path);
    if (descriptor === undefined) {
      mkdirSync(dirname(path), { recursive: true });
      descriptor = openSync(path, 'a');
      this.descriptors.set(path, descriptor);
    }
    const bytes = Buffer.from(text);
    let offset = 0;
    while (offset < bytes.byteLength) offset += writeSync(descriptor, bytes, offset);
  }
}
