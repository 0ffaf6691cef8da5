import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { UsageSink } from '../../core/ports/usage-sink';
import type { UsageEvent } from '../../core/usage/usage-event';

/**
 * Usage events as NDJSON under `<data-dir>/usage/dt=YYYY-MM-DD/usage-<pid>.ndjson`, the same
 * objects and partition layout as S3. Appends are queued so lines never interleave and requests
 * never wait on the disk; events that arrive together are written in one append.
 */
export class NdjsonUsageSink implements UsageSink {
  private pending: UsageEvent[] = [];
  private flushing: Promise<void> | undefined;
  private readonly knownDirs = new Set<string>();

  constructor(private readonly usageDir: string) {}

  write(event: UsageEvent): Promise<void> {
    this.pending.push(event);
    this.flushing ??= this.drain();
    return this.flushing;
  }

  /** Resolves once everything written so far is on disk. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        const byDay = new Map<string, string>();
        for (const event of batch) {
          const day = event.ts.slice(0, 10);
          byDay.set(day, (byDay.get(day) ?? '') + JSON.stringify(event) + '\n');
        }
        for (const [day, lines] of byDay) {
          const dir = join(this.usageDir, `dt=${day}`);
          if (!this.knownDirs.has(dir)) {
            await mkdir(dir, { recursive: true });
            this.knownDirs.add(dir);
          }
          await appendFile(join(dir, `usage-${process.pid}.ndjson`), lines);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }
}
