// The response cache's exact entries in Redis (cluster mode): an answer stored by one instance is
// a hit on every other. One GET per lookup, one SET with the entry's TTL per store; Redis expires
// entries itself. Purge (an admin action) scans. Single-flight across instances: the first
// instance to miss a key claims it (SET NX with a TTL, so a dead leader's claim lapses); the
// others follow, reading the entry until it appears or the claim is gone. Not here yet: the
// semantic index's stream (each instance's ANN index stays local), see docs/scaling.md.

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
  /** How long a claim on a miss lasts without its answer (default 30 s). */
  claimMs?: number;
  /** How often a follower looks for the leader's answer (default 20 ms). */
  followEveryMs?: number;
}

export class RedisCacheStore implements CacheStore {
  private readonly p: string;
  private readonly listeners: Array<(key: string) => void> = [];
  /** What this instance stored and removed: stats() are this instance's view, not the server's. */
  private readonly counts = { entries: 0, bytes: 0, evictions: 0 };
  /** Misses this instance leads for the cluster. */
  private readonly claims = new Set<string>();

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

  async claim(key: string): Promise<boolean> {
    try {
      const ok = await this.o.redis.set(`${this.p}lock:${key}`, '1', 'PX', this.o.claimMs ?? 30_000, 'NX');
      if (ok === 'OK') this.claims.add(key);
      return ok === 'OK';
    } catch {
      return true; // Redis away: lead locally
    }
  }

  async follow(key: string): Promise<CachedAnswer | undefined> {
    const every = this.o.followEveryMs ?? 20;
    const deadline = Date.now() + (this.o.claimMs ?? 30_000);
    try {
      while (Date.now() < deadline) {
        const [raw, lock] = await this.o.redis.mget(this.p + key, `${this.p}lock:${key}`);
        if (raw !== null && raw !== undefined) return JSON.parse(raw) as CachedAnswer;
        // The leader ended without storing (failed, not cacheable): lead after all.
        if (lock === null || lock === undefined) return undefined;
        await new Promise((r) => setTimeout(r, every));
      }
    } catch {
      // Redis away: lead locally
    }
    return undefined;
  }

  unclaim(key: string): void {
    if (!this.claims.delete(key)) return;
    this.o.redis.del(`${this.p}lock:${key}`).catch(() => {});
  }
}
