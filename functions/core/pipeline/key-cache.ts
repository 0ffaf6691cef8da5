import type { Clock } from '../ports/clock';
import type { KeyRecord, KeyStore, TagBudgetRecord, TeamRecord } from '../ports/key-store';

/** How long a key, team or tag look-up is reused; also the longest delay before a revocation (or a budget change) bites. */
export const KEY_CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

interface Entry<T> {
  expiresAt: number;
  value: Promise<T>;
}

/**
 * A {@link KeyStore} that remembers look-ups for `ttlMs` (unknown keys too, so a flood of bad keys
 * does not reach the store), and shares one in-flight look-up among concurrent requests with the
 * same key. Failed look-ups are not remembered. A revoked or edited key therefore takes effect
 * within `ttlMs` on every gateway instance.
 */
export class CachedKeyStore implements KeyStore {
  private readonly keys = new Map<string, Entry<KeyRecord | undefined>>();
  private readonly teams = new Map<string, Entry<TeamRecord | undefined>>();
  private readonly tagBudgets = new Map<string, Entry<TagBudgetRecord[]>>();

  constructor(
    private readonly store: KeyStore,
    private readonly clock: Clock,
    private readonly ttlMs = KEY_CACHE_TTL_MS,
  ) {}

  findByHash(keyHash: string): Promise<KeyRecord | undefined> {
    return this.lookup(this.keys, keyHash, () => this.store.findByHash(keyHash));
  }

  findTeam(team: string): Promise<TeamRecord | undefined> {
    return this.lookup(this.teams, team, () => this.store.findTeam(team));
  }

  listTagBudgets(): Promise<TagBudgetRecord[]> {
    return this.lookup(this.tagBudgets, 'all', () => this.store.listTagBudgets());
  }

  private lookup<T>(cache: Map<string, Entry<T>>, id: string, load: () => Promise<T>): Promise<T> {
    const now = this.clock.now();
    const hit = cache.get(id);
    if (hit && hit.expiresAt > now) return hit.value;
    cache.delete(id);
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    const value = load();
    const entry = { expiresAt: now + this.ttlMs, value };
    cache.set(id, entry);
    value.catch(() => {
      if (cache.get(id) === entry) cache.delete(id);
    });
    return value;
  }
}
