import { CachedKeyStore, KEY_CACHE_TTL_MS } from '../../../../functions/core/pipeline/key-cache';
import { TestClock } from '../../../helpers/test-clock';
import type { KeyRecord, KeyStore } from '../../../../functions/core/ports/key-store';

const record: KeyRecord = { keyId: 'key_1', keyHash: 'h1', name: 'one', createdAt: '2026-11-24T00:00:00.000Z' };

/** A key store that counts its look-ups and can be edited or broken by the test. */
function countingStore(): KeyStore & { lookups: number; current: KeyRecord | undefined; failing: boolean } {
  return {
    lookups: 0,
    current: record,
    failing: false,
    async findByHash() {
      this.lookups += 1;
      if (this.failing) throw new Error('store down');
      return this.current;
    },
    async findTeam() {
      return undefined;
    },
    async listTagBudgets() {
      return [];
    },
  };
}

describe('cached key look-ups', () => {
  let clock: TestClock;
  beforeEach(() => (clock = new TestClock(1_000_000)));

  it('share one look-up among concurrent requests and reuse it within the TTL', async () => {
    const store = countingStore();
    const cache = new CachedKeyStore(store, clock);

    await Promise.all(Array.from({ length: 20 }, () => cache.findByHash('h1')));
    clock.advance(KEY_CACHE_TTL_MS - 1);
    await cache.findByHash('h1');

    expect(store.lookups).toBe(1);
  });

  it('see a revocation once the TTL has passed', async () => {
    const store = countingStore();
    const cache = new CachedKeyStore(store, clock);
    await cache.findByHash('h1');
    store.current = { ...record, revoked: true };

    expect((await cache.findByHash('h1'))?.revoked).toBeUndefined();
    clock.advance(KEY_CACHE_TTL_MS);
    expect((await cache.findByHash('h1'))?.revoked).toBe(true);
  });

  it('do not remember a failed look-up', async () => {
    const store = countingStore();
    const cache = new CachedKeyStore(store, clock);
    store.failing = true;
    await expect(cache.findByHash('h1')).rejects.toThrow('store down');

    store.failing = false;
    await expect(cache.findByHash('h1')).resolves.toEqual(record);
  });
});
