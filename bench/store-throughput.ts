/**
 * Reserve + settle pairs per second on the embedded spend store (DESIGN §8: ≥ 5,000 on one core):
 * one process, one thread, each request admitted against an `rpm` limit and a key and a team
 * budget and then settled with its tokens, as the gateway does, on a fresh database in a temp dir. Used by `bench/run.ts`; runnable alone with
 * `node --require tsx/cjs bench/store-throughput.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalDatabase } from '../functions/adapters/local/sqlite/database';
import { SqliteSpendStore } from '../functions/adapters/local/sqlite/spend-store';
import { keyScope, teamScope } from '../functions/core/ports/spend-store';

/** Result of {@link measureStoreThroughput}. */
export interface StoreThroughput {
  pairs: number;
  durationMs: number;
  pairsPerSecond: number;
}

/** Runs reserve + settle pairs back to back for `durationMs` (at most `maxPairs`) and reports the rate. */
export async function measureStoreThroughput(durationMs: number, maxPairs: number): Promise<StoreThroughput> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-store-bench-'));
  const db = openLocalDatabase(dir);
  try {
    const store = new SqliteSpendStore(db);
    const scopes = [
      { scope: keyScope('key_bench'), limitMicroUsd: 1e15, period: 'month' as const },
      { scope: teamScope('bench'), limitMicroUsd: 1e15, period: 'month' as const },
    ];
    // As the gateway records it: released ten minutes after admission, with the request's facts.
    const request = { keyId: 'key_bench', keyName: 'bench', team: 'bench', user: null, tags: {}, endpoint: '/v1/chat/completions', modelRequested: 'gpt', stream: true, startedAt: Date.now(), inputTokens: 30, outputTokens: 1_000 };
    const started = performance.now();
    let pairs = 0;
    while (pairs < maxPairs && performance.now() - started < durationMs) {
      const at = Date.now();
      const outcome = await store.admit({ requestId: `req_${pairs}`, rate: { keyId: 'key_bench', rpm: 1e9 }, scopes, amountMicroUsd: 5_000, at, expiry: { releaseAt: at + 660_000, chargeMicroUsd: 4_000, request: { ...request, startedAt: at } } });
      if (!outcome.ok) throw new Error('reservation refused');
      await store.settle(outcome.reservation, { costMicroUsd: 1_234, tokens: { keyId: 'key_bench', count: 40 }, at });
      pairs += 1;
    }
    const elapsed = performance.now() - started;
    return { pairs, durationMs: elapsed, pairsPerSecond: (pairs * 1000) / elapsed };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void measureStoreThroughput(3_000, 1_000_000).then((result) => process.stdout.write(`${JSON.stringify(result)}\n`));
}
