// The response cache's exact entries in Redis (cluster mode): an answer stored by one instance is
// a hit on every other. One GET per lookup, one SET with the entry's TTL per store; Redis expires
// entries itself. Purge (an admin action) scans. Not here yet: cross-instance single-flight locks
// and the semantic index's stream (each instance's ANN index stays local), see docs/scaling.md.

import type { CachedAnswer } from '../../cache/answer.js';
import { matchesPurge, type CacheStore, type CacheStoreStats, type PurgeFilter } from '../../cache/store.js';
import type { ScriptedRedis } from './client.js';

export interface RedisCacheStoreOptions {
  redis: ScriptedRedis;
  prefix: string;
  /** Largest answer stored (bytes as the cache counts them); larger ones are refused. */
  maxEntryBytes?: number;
  /** What stats() reports as the bound (Redis's maxmemory governs the real one). */
  maxBytes?: number;
}

export class RedisCacheStore implements CacheStore {
  private readonly p: string;
  private readonly listeners: Array<(key: string) => void> = [];
  /** What this instance stored and removed: stats() are this instance's view, not the server's. */
  private readonly counts = { entries: 0, bytes: 0, evictions: 0 };

  constructor(private readonly o: RedisCacheStoreOptions) {
    this.p = `${o.prefix}cache:`;
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    try {
      const raw = await this.o.redis.get(this.p + key);
      return raw === null ? undefined : (JSON.parse(raw) as CachedAnswer);
    } catch {
      // Redis away: a miss, and the request goes upstream (the cache never fails a request).
      return undefined;
    }
  }

  async set(key: string, answer: CachedAnswer, ttlMs: number): Promise<boolean> {
    if (this.o.maxEntryBytes !== undefined && answer.bytes > this.o.maxEntryBytes) return false;
    try {
      await this.o.redis.set(this.p + key, JSON.stringify(answer), 'PX', Math.max(1, Math.round(ttlMs)));
      this.counts.entries++;
      this.counts.bytes += answer.bytes;
      return true;
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      if ((await this.o.redis.del(this.p + key)) > 0) this.listeners.forEach((l) => l(key));
    } catch {
      // the entry expires with its TTL
    }
  }

  async purge(filter: PurgeFilter): Promise<number> {
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await this.o.redis.scan(cursor, 'MATCH', `${this.p}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length === 0) continue;
      const values = await this.o.redis.mget(...keys);
      const doomed = keys.filter((_, i) => {
        const v = values[i];
        return v !== null && v !== undefined && matchesPurge(filter, JSON.parse(v) as CachedAnswer);
      });
      if (doomed.length > 0) removed += await this.o.redis.del(...doomed);
      for (const k of doomed) this.listeners.forEach((l) => l(k.slice(this.p.length)));
    } while (cursor !== '0');
    return removed;
  }

  stats(): CacheStoreStats {
    return { entries: this.counts.entries, bytes: this.counts.bytes, maxBytes: this.o.maxBytes ?? 0, evictions: this.counts.evictions };
  }

  onRemoved(listener: (key: string) => void): void {
    this.listeners.push(listener);
  }
}
