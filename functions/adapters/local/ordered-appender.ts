import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Appends text to files asynchronously, strictly in call order, keeping each file open between
 * appends. The local server writes usage and metric lines with it so no request does synchronous
 * I/O and concurrent requests cannot interleave half lines.
 */
export class OrderedAppender {
  private tail: Promise<void> = Promise.resolve();
  private readonly handles = new Map<string, FileHandle>();

  /** Appends `text` to `path` (creating its directory) after every earlier append has finished. */
  append(path: string, text: string): Promise<void> {
    const written = this.tail.then(() => this.write(path, text));
    // A failed append rejects only its own caller; later appends still run.
    this.tail = written.catch(() => undefined);
    return written;
  }

  /** Resolves once every append requested so far has finished (successfully or not). */
  idle(): Promise<void> {
    return this.tail;
  }

  /** Waits for every pending append, then closes the files. */
  async close(): Promise<void> {
    await this.tail;
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map((handle) => handle.close()));
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
