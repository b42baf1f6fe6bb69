// Stored Responses API conversations, for `previous_response_id` and `item_reference`.
// Two implementations behind one interface (the same test suite runs against both):
// memory (an LRU, lost on restart) and SQLite (the same LRU in front, written behind in batches,
// read through on a miss). The request path only ever touches the LRU, except on a miss.

export interface StoredResponse {
  /** `resp_...` */
  id: string;
  /** Unix seconds. */
  createdAt: number;
  /** The route the client named. */
  model: string;
  /** The response this one continued; its conversation comes before `input`. */
  previousResponseId?: string;
  /** This request's own input items (references resolved), as Responses API JSON. */
  input: unknown[];
  /** The response's output items, as Responses API JSON. */
  output: unknown[];
}

/** How much the store keeps; without it, the store grows without bound (SQLite) or to its LRU size (memory). */
export interface RetentionPolicy {
  /** Responses created longer ago than this are removed. */
  maxAgeMs?: number;
  /** At most this many responses are kept; the oldest (by creation time) go first. */
  maxEntries?: number;
}

export interface ResponsesStore {
  get(id: string): Promise<StoredResponse | undefined>;
  /** Never blocks on I/O: durable implementations write behind. */
  put(r: StoredResponse): void;
  /**
   * Resolves once every response put so far has been written (or its write has failed and been
   * reported), by the implementation's own schedule: it does not force a flush. Tests await it
   * instead of sleeping past the write-behind timer. At once for memory.
   */
  flushed(): Promise<void>;
  /** Removes a response; resolves true when it existed (`DELETE /v1/responses/{id}`). */
  delete(id: string): Promise<boolean>;
  /** Applies a retention policy now; returns how many responses were removed (a network store answers later). */
  prune(policy: RetentionPolicy, nowMs?: number): number | Promise<number>;
  /** Flushes pending writes and releases resources (a network store resolves once written). */
  close(): void | Promise<void>;
}
