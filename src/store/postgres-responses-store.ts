// Responses store on Postgres (cluster mode): `previous_response_id`, retrieve and delete work on
// any instance. Reads go to Postgres (one primary-key lookup, only for requests that name a
// stored response): a per-instance cache would keep serving a response another instance deleted.
// Writes leave at once (batched per event-loop turn, not per timer), so the window in which
// another instance cannot see a fresh response is one INSERT; responses not yet committed are
// served from `pending`. While Postgres is down, failed batches are kept (bounded) and retried.
import type { PgPool } from '../cluster/pg-pool.js';
import { GatewayError } from '../spec/errors.js';
import { isConnectionError } from './postgres-errors.js';
import type { ResponsesStore, RetentionPolicy, StoredResponse } from './responses-store.js';

export interface PostgresResponsesStoreOptions {
  pool: PgPool;
  /** Responses kept in memory while Postgres cannot take them; beyond this the oldest are lost (reported). */
  maxPending?: number;
  retryMs?: number;
  /**
   * An id not found is looked up again after these delays: the instance that created it writes
   * it right after its response left, so a client quick enough to name it on another instance
   * can arrive first. Only unknown ids pay this (default 25 ms then 75 ms).
   */
  missRetryMs?: readonly number[];
  onError?: (err: unknown, lost: number) => void;
}

export class PostgresResponsesStore implements ResponsesStore {
  private readonly pool: PgPool;
  private pending = new Map<string, StoredResponse>();
  private inFlight: Promise<void> | undefined;
  private scheduled: NodeJS.Immediate | NodeJS.Timeout | undefined;
  private closed = false;
  private readonly maxPending: number;
  private readonly retryMs: number;
  private readonly missRetryMs: readonly number[];
  private readonly onError: (err: unknown, lost: number) => void;
  /** Ids deleted while a write of theirs was in flight: deleted again once it lands. */
  private readonly deletedInFlight = new Set<string>();

  constructor(opts: PostgresResponsesStoreOptions) {
    this.pool = opts.pool;
    this.maxPending = opts.maxPending ?? 10_000;
    this.retryMs = opts.retryMs ?? 500;
    this.missRetryMs = opts.missRetryMs ?? [25, 75];
    this.onError = opts.onError ?? (() => {});
  }

  async get(id: string): Promise<StoredResponse | undefined> {
    const hot = this.pending.get(id);
    if (hot !== undefined) return hot;
    for (let attempt = 0; ; attempt++) {
      const r = await this.lookup(id);
      if (r.rows[0] !== undefined) return r.rows[0].body;
      const wait = this.missRetryMs[attempt];
      if (wait === undefined || this.closed) return undefined;
      await new Promise((res) => setTimeout(res, wait));
    }
  }

  private async lookup(id: string): Promise<{ rows: Array<{ body: StoredResponse }> }> {
    try {
      return await this.pool.query<{ body: StoredResponse }>('SELECT body FROM mp_responses WHERE id = $1', [id]);
    } catch (err) {
      // The caller names a stored response and the store cannot say: retryable, not a 500.
      if (isConnectionError(err)) throw new GatewayError('internal_error', 'the Responses store (Postgres) is unavailable, try again shortly', { status: 503, retryable: true, cause: err });
      throw err;
    }
  }

  put(r: StoredResponse): void {
    if (this.closed) return;
    this.pending.delete(r.id);
    this.pending.set(r.id, r);
    if (this.pending.size > this.maxPending) {
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
      this.onError(new Error('postgres unavailable: responses store backlog full'), 1);
    }
    this.schedule(false);
  }

  flushed(): Promise<void> {
    return this.drain();
  }

  async delete(id: string): Promise<boolean> {
    const waiting = this.pending.delete(id);
    if (this.inFlight) this.deletedInFlight.add(id);
    const r = await this.pool.query('DELETE FROM mp_responses WHERE id = $1', [id]);
    return waiting || (r.rowCount ?? 0) > 0;
  }

  async prune(policy: RetentionPolicy, nowMs = Date.now()): Promise<number> {
    await this.drain();
    let removed = 0;
    if (policy.maxAgeMs !== undefined) removed += (await this.pool.query('DELETE FROM mp_responses WHERE created_at < $1', [(nowMs - policy.maxAgeMs) / 1000])).rowCount ?? 0;
    if (policy.maxEntries !== undefined) {
      const sql = 'DELETE FROM mp_responses WHERE id IN (SELECT id FROM mp_responses ORDER BY created_at DESC, id DESC OFFSET $1)';
      removed += (await this.pool.query(sql, [policy.maxEntries])).rowCount ?? 0;
    }
    return removed;
  }

  /** Writes what is pending, then stops taking writes. The pool belongs to the caller. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.drain();
    } finally {
      this.closed = true;
    }
  }

  private schedule(retry: boolean): void {
    if (this.scheduled !== undefined || this.inFlight !== undefined) return;
    const run = () => {
      this.scheduled = undefined;
      void this.ship();
    };
    this.scheduled = retry ? setTimeout(run, this.retryMs).unref() : setImmediate(run);
  }

  /** Resolves when nothing is pending or in flight (one attempt each; a failure leaves it pending). */
  private async drain(): Promise<void> {
    for (let rounds = 0; rounds < 3 && (this.inFlight || this.pending.size > 0); rounds++) {
      if (this.inFlight) await this.inFlight;
      else await this.ship();
    }
  }

  private ship(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.pending.size === 0) return Promise.resolve();
    const batch = [...this.pending.values()];
    const run = async () => {
      try {
        await this.pool.query(
          `INSERT INTO mp_responses (id, created_at, body)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::jsonb[])
           ON CONFLICT (id) DO UPDATE SET created_at = EXCLUDED.created_at, body = EXCLUDED.body`,
          [batch.map((r) => r.id), batch.map((r) => r.createdAt), batch.map((r) => JSON.stringify(r))],
        );
        for (const r of batch) if (this.pending.get(r.id) === r) this.pending.delete(r.id);
        if (this.deletedInFlight.size > 0) {
          const ids = [...this.deletedInFlight];
          this.deletedInFlight.clear();
          await this.pool.query('DELETE FROM mp_responses WHERE id = ANY($1::text[])', [ids]);
        }
      } catch (err) {
        this.onError(err, 0);
        this.inFlight = undefined;
        if (!this.closed) this.schedule(true);
        return;
      }
      this.inFlight = undefined;
      if (this.pending.size > 0 && !this.closed) this.schedule(false);
    };
    this.inFlight = run();
    return this.inFlight;
  }
}
