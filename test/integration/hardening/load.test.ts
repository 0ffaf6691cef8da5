import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { keyScope } from '../../../functions/core/ports/spend-store';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';

/**
 * A bounded load test through the local server (loopback only), with budgets, spend and usage on:
 * 500 concurrent streams, then 5,000 requests across several keys. It asserts correctness under
 * load — only the expected 429s, exactly one usage event per request, spend equal to the sum of
 * per-request costs, nothing left reserved — and a resource bound: heap and RSS after the run stay
 * within a stated margin of their level after warm-up. It asserts no timing.
 */
const CONCURRENT_STREAMS = 500;
/** Requests of each of the two measured phases (5,000 in all). */
const REQUESTS_PER_PHASE = 2500;
const CONCURRENCY = 100;
const WARM_UP = 300;
/**
 * Growth allowed over the second of two identical phases, after a full GC (retained, not
 * transient, memory): the JS heap and the memory outside it that buffers hold (`external`). A leak
 * grows with every phase; what the first phase settles once (optimized code, pools, caches) does
 * not count, and how much that is depends on what ran in the jest worker before. RSS is printed but
 * not bounded: the allocator keeps freed pages, so RSS mostly shows the peak, not a leak.
 */
const HEAP_GROWTH_LIMIT = 32 * 1024 * 1024;
const EXTERNAL_GROWTH_LIMIT = 32 * 1024 * 1024;

const config = {
  providers: { fast: { type: 'mock', chunks: 8 }, slow: { type: 'mock', chunks: 8, delayMs: 25 } },
  models: {
    fast: { targets: [{ provider: 'fast', model: 'mock-1', price: { input: 1, output: 2 } }] },
    slow: { targets: [{ provider: 'slow', model: 'mock-1', price: { input: 1, output: 2 } }] },
  },
  timeouts: { heartbeatMs: 60_000 },
};

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function memory(): { heap: number; external: number; rss: number } {
  gc();
  gc();
  const { heapUsed, external, rss } = process.memoryUsage();
  return { heap: heapUsed, external, rss };
}

interface Outcome {
  key: string;
  status: number;
  requestId: string | null;
  code: string | null;
}

describe('load through the local server', () => {
  let harness: GatewayHarness;
  const keys: Array<{ key: string; keyId: string; name: string }> = [];

  beforeAll(async () => {
    harness = await startGatewayHarness({ config, key: { name: 'key-0', budget: { usd: 1000, period: 'month' } } });
    keys.push({ key: harness.key, keyId: harness.keyId, name: 'key-0' });
    for (let i = 1; i < 5; i++) keys.push({ ...(await harness.createKey({ name: `key-${i}`, team: i % 2 ? 'odd' : 'even', budget: { usd: 1000, period: 'month' } })), name: `key-${i}` });
    // A key whose small budget runs out during the run: its 429s are the expected ones.
    keys.push({ ...(await harness.createKey({ name: 'small', budget: { usd: 0.05, period: 'month' } })), name: 'small' });
  });
  afterAll(async () => {
    await harness.close();
  });

  async function send(index: number, model: string, stream: boolean): Promise<Outcome> {
    const { key } = keys[index % keys.length]!;
    const response = await fetch(`${harness.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-switchyard-tags': `load=${index % 7}` },
      body: JSON.stringify({ model, stream, stream_options: stream ? { include_usage: true } : undefined, max_tokens: 64, messages: [{ role: 'user', content: `request ${index}: ${'lorem ipsum '.repeat(index % 20)}` }] }),
    });
    const text = await response.text();
    if (stream && response.status === 200 && !text.endsWith('data: [DONE]\n\n')) throw new Error(`stream ${index} did not end cleanly`);
    return { key, status: response.status, requestId: response.headers.get('x-request-id'), code: response.status === 200 ? null : (JSON.parse(text).error?.code ?? null) };
  }

  async function pool(count: number, offset: number, run: (index: number) => Promise<Outcome>): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) {
          const index = offset + next++;
          outcomes.push(await run(index));
        }
      }),
    );
    return outcomes;
  }

  it('serves 500 concurrent streams and 5,000 requests with only the expected 429s, exact usage and spend, and stable memory', async () => {
    const burst = (offset: number) => Promise.all(Array.from({ length: CONCURRENT_STREAMS }, (_, i) => send(offset + i, 'slow', true)));
    // Warm-up reaches the steady state: code paths compiled, a full burst's sockets and buffers allocated.
    const warmUp = [...(await pool(WARM_UP, 0, (index) => send(index, 'fast', index % 2 === 0))), ...(await burst(WARM_UP))];
    await harness.server.idle();
    const before = memory();
    // One phase: a burst of concurrent streams, then requests from a pool of clients.
    const phase = async (offset: number): Promise<Outcome[]> => {
      const streams = await burst(offset);
      const requests = await pool(REQUESTS_PER_PHASE, offset + CONCURRENT_STREAMS, (index) => send(index, 'fast', index % 3 === 0));
      await harness.server.idle();
      return [...streams, ...requests];
    };

    const first = await phase(WARM_UP + CONCURRENT_STREAMS);
    const middle = memory();
    const second = await phase(WARM_UP + 2 * CONCURRENT_STREAMS + REQUESTS_PER_PHASE);
    const after = memory();

    const all = [...warmUp, ...first, ...second];
    const small = keys.find((entry) => entry.name === 'small')!.key;
    const failures = all.filter((outcome) => outcome.status !== 200);
    expect(failures.filter((outcome) => !(outcome.status === 429 && outcome.code === 'budget_exceeded' && outcome.key === small))).toEqual([]);
    expect(failures.length).toBeGreaterThan(0);

    const events = await harness.usageEvents();
    expect(events).toHaveLength(all.length);
    expect(new Set(events.map((event) => event.request_id))).toEqual(new Set(all.map((outcome) => outcome.requestId)));

    for (const { keyId } of keys) {
      const charged = events.filter((event) => event.key_id === keyId).reduce((sum, event) => sum + event.cost_micro_usd, 0);
      const spend = await harness.local.spendStore.getSpend(keyScope(keyId), 'month', Date.now());
      expect({ keyId, spent: spend.spentMicroUsd, reserved: spend.reservedMicroUsd }).toEqual({ keyId, spent: charged, reserved: 0 });
    }
    expect(events.filter((event) => event.status === 'ok').every((event) => event.cost_micro_usd > 0)).toBe(true);

    const growth = { heap: after.heap - middle.heap, external: after.external - middle.external };
    // Printed for the record; the assertion is the bound, not the numbers.
    const counts = new Map<string, number>();
    for (const line of harness.logs) counts.set(`${line.level} ${line.message}`, (counts.get(`${line.level} ${line.message}`) ?? 0) + 1);
    const logged = [...counts].map(([message, count]) => `${count}× ${message}`);
    console.log(
      `load: ${all.length} requests, ${failures.length} expected 429s; heap ${mb(before.heap)} → ${mb(middle.heap)} → ${mb(after.heap)} MB, external ${mb(before.external)} → ${mb(middle.external)} → ${mb(after.external)} MB, rss ${mb(before.rss)} → ${mb(middle.rss)} → ${mb(after.rss)} MB; logged ${logged.join('; ') || 'nothing'}`,
    );
    expect(growth.heap).toBeLessThan(HEAP_GROWTH_LIMIT);
    expect(growth.external).toBeLessThan(EXTERNAL_GROWTH_LIMIT);
  }, 120_000);
});

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
