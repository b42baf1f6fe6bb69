// A least-recently-used map bounded by bytes (not entries: one cached answer may be 50 bytes,
// another 50 KB) with a time to live per entry. A Map keeps insertion order, so re-inserting on
// read moves an entry to the young end and the first key is always the least recently used.
// Expired entries are dropped when read, and from the old end while inserting; `sweep` removes
// the rest. The clock is injected so that tests never sleep.

export type Clock = () => number;

interface Slot<V> {
  value: V;
  bytes: number;
  expiresAt: number;
}

export interface ByteLruOptions<V> {
  maxBytes: number;
  /** Entries larger than this are refused (one huge answer must not flush the whole cache). Default: maxBytes / 8. */
  maxEntryBytes?: number;
  clock?: Clock;
  /** Called for every entry that leaves the map other than by `delete` (eviction, expiry, purge). */
  onEvict?: (key: string, value: V) => void;
}

export class ByteLru<V> {
  private readonly map = new Map<string, Slot<V>>();
  private used = 0;
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  private readonly clock: Clock;
  private readonly onEvict: ((key: string, value: V) => void) | undefined;
  /** Entries removed to make room (not expiries): a sign the cache is too small. */
  evictions = 0;

  constructor(o: ByteLruOptions<V>) {
    if (!(o.maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${o.maxBytes}`);
    this.maxBytes = o.maxBytes;
    this.maxEntryBytes = Math.min(o.maxEntryBytes ?? Math.floor(o.maxBytes / 8), o.maxBytes);
    this.clock = o.clock ?? Date.now;
    this.onEvict = o.onEvict;
  }

  get size(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.used;
  }

  /** The value, or undefined when absent or expired; a hit becomes the most recently used. */
  get(key: string): V | undefined {
    const s = this.map.get(key);
    if (s === undefined) return undefined;
    if (s.expiresAt <= this.clock()) {
      this.drop(key, s, true);
      return undefined;
    }
    this.map.delete(key);
    this.map.set(key, s);
    return s.value;
  }

  /** Stores the value; returns false when it is too large to keep. */
  set(key: string, value: V, bytes: number, ttlMs: number): boolean {
    const old = this.map.get(key);
    if (old !== undefined) this.drop(key, old, false);
    if (bytes > this.maxEntryBytes || ttlMs <= 0) return false;
    const now = this.clock();
    this.map.set(key, { value, bytes, expiresAt: now + ttlMs });
    this.used += bytes;
    for (const [k, s] of this.map) {
      if (this.used <= this.maxBytes) break;
      if (s.expiresAt > now) this.evictions++;
      this.drop(k, s, true);
    }
    return true;
  }

  delete(key: string): boolean {
    const s = this.map.get(key);
    if (s === undefined) return false;
    this.drop(key, s, false);
    return true;
  }

  /** Removes every entry the predicate selects; returns how many. */
  purge(select: (key: string, value: V) => boolean): number {
    let n = 0;
    for (const [k, s] of this.map) {
      if (select(k, s.value)) {
        this.drop(k, s, true);
        n++;
      }
    }
    return n;
  }

  /** Removes expired entries (a periodic timer may call this; reads drop them anyway). */
  sweep(): number {
    const now = this.clock();
    let n = 0;
    for (const [k, s] of this.map) {
      if (s.expiresAt <= now) {
        this.drop(k, s, true);
        n++;
      }
    }
    return n;
  }

  *entries(): IterableIterator<[string, V]> {
    for (const [k, s] of this.map) yield [k, s.value];
  }

  private drop(key: string, s: Slot<V>, notify: boolean): void {
    this.map.delete(key);
    this.used -= s.bytes;
    if (notify) this.onEvict?.(key, s.value);
  }
}
