// Memory-only responses store: fast, bounded, gone on restart. The default when no data
// directory is configured, and the hot layer of the SQLite store.
import { Lru } from './lru.js';
import type { ResponsesStore, StoredResponse } from './responses-store.js';

export const DEFAULT_MEMORY_ENTRIES = 10_000;

export class MemoryResponsesStore implements ResponsesStore {
  private readonly lru: Lru<string, StoredResponse>;

  constructor(opts: { entries?: number } = {}) {
    this.lru = new Lru(opts.entries ?? DEFAULT_MEMORY_ENTRIES);
  }

  get(id: string): Promise<StoredResponse | undefined> {
    return Promise.resolve(this.lru.get(id));
  }

  put(r: StoredResponse): void {
    this.lru.set(r.id, r);
  }

  flushed(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    this.lru.clear();
  }
}
