// The response cache: exact layer, then semantic layer, with single-flight in front of the
// upstream and the KPI counters on every path. Knows nothing of HTTP or the request pipeline:
// the lifecycle stage (cache-stage.ts) turns a request into a `CacheInput` and an answer into a
// `complete()` call. Everything here touches memory only.

import type { RouteCachePolicy } from '../config/snapshot.js';
import type { CanonicalRequest, CanonicalResponse } from '../spec/canonical.js';
import { answerBytes, type CachedAnswer } from './answer.js';
import type { Embedder, SyncEmbedder } from './embedder.js';
import { exactKey } from './exact-key.js';
import type { Clock } from './lru.js';
import { cachePlan, type CachePlan } from './policy.js';
import { cacheScope, type ScopeCaller } from './scope.js';
import { embedOne, semanticQuery, verifiedCandidates, type SemanticQuery } from './semantic.js';
import { SingleFlight, type Ticket } from './single-flight.js';
import { LiveFeed } from './live-feed.js';
import { AutoThresholds } from './auto-threshold.js';
import { CacheStats, type Cell } from './stats.js';
import { CacheTrends, type TrendOptions } from './trends.js';
import type { CacheAuditor } from './audit.js';
import type { CacheStore, PurgeFilter } from './store.js';
import { indexEntryBytes, VectorIndex } from './vector-index.js';

export interface CacheInput {
  route: string;
  policy: RouteCachePolicy;
  request: CanonicalRequest;
  caller: ScopeCaller;
  /** The request's `cache-control` header. */
  cacheControl?: string | undefined;
  /** Embeds a text with the cache's embedder, once per request (call-embedding.ts); default: embed here. */
  embed?: (text: string) => Promise<Float32Array | undefined>;
}

export type CacheHeaderValue = 'hit-exact' | 'hit-semantic' | 'miss' | 'bypass';

export type CacheLookup =
  | { kind: 'bypass'; reason: NonNullable<CachePlan['bypass']> }
  | { kind: 'hit'; layer: 'exact' | 'semantic'; answer: CachedAnswer; ageSeconds: number; similarity?: number; shared: boolean }
  /** A streaming follower of a streaming leader: the leader's live stream, as it is produced (live-feed.ts). */
  | { kind: 'live'; feed: LiveFeed }
  | { kind: 'miss'; pending: PendingAnswer; header: 'miss' | 'bypass' };

/** A miss the caller will answer: `complete` with the answer when it succeeded, `abandon` otherwise. */
export interface PendingAnswer {
  complete(response: CanonicalResponse, o?: { costUsd?: number | undefined; textChunks?: number[] | undefined }): void;
  abandon(): void;
  /**
   * For a streamed miss: the live feed its single-flight followers read (the stage's tap pushes
   * every event into it); undefined when nobody can follow (a no-cache request has no flight).
   */
  live(): LiveFeed | undefined;
}

export interface ResponseCacheOptions {
  store: CacheStore;
  embedder: Embedder;
  clock?: Clock;
  index?: VectorIndex;
  warn?: (message: string, detail: Record<string, unknown>) => void;
  trends?: Omit<TrendOptions, 'clock'>;
  /** The most a live feed holds for streaming followers (default 8 MiB; the gateway passes its largest entry). */
  liveMaxBytes?: number;
}

/** The response header values for a lookup (name, value pairs, ready for `call.headers`). */
export function cacheHeaders(l: CacheLookup): string[] {
  if (l.kind === 'bypass') return ['x-modelplane-cache', 'bypass'];
  if (l.kind === 'miss') return ['x-modelplane-cache', l.header];
  if (l.kind === 'live') return ['x-modelplane-cache', 'hit-exact', 'age', '0'];
  const h = ['x-modelplane-cache', `hit-${l.layer}`, 'age', String(l.ageSeconds)];
  if (l.similarity !== undefined) h.push('x-modelplane-cache-similarity', l.similarity.toFixed(4));
  return h;
}

export class ResponseCache {
  readonly store: CacheStore;
  readonly embedder: Embedder;
  readonly index: VectorIndex;
  readonly stats: CacheStats;
  readonly trends: CacheTrends;
  /** Audits of semantic hits (`cache.audit`), when the gateway wired one. */
  auditor: CacheAuditor | undefined;
  readonly flights = new SingleFlight<CachedAnswer, LiveFeed>();
  /** `threshold: auto` routes: their observations and calibrated thresholds. */
  readonly thresholds: AutoThresholds;
  private readonly liveMaxBytes: number;
  private readonly clock: Clock;
  private lastEmbedderWarning = -Infinity;
  private readonly warn: (message: string, detail: Record<string, unknown>) => void;

  constructor(o: ResponseCacheOptions) {
    this.store = o.store;
    this.embedder = o.embedder;
    this.clock = o.clock ?? Date.now;
    this.index = o.index ?? new VectorIndex();
    this.stats = new CacheStats(this.clock);
    this.thresholds = new AutoThresholds((key) => this.store.get(key));
    this.trends = new CacheTrends({ clock: this.clock, ...o.trends });
    this.warn = o.warn ?? (() => undefined);
    this.liveMaxBytes = o.liveMaxBytes ?? 8 * 1024 * 1024;
    this.store.onRemoved((key) => this.index.remove(key));
  }

  async lookup(input: CacheInput): Promise<CacheLookup> {
    const t0 = performance.now();
    const l = await this.lookupOnce(input);
    // A follower's wait for its leader is not the lookup's cost; its hit still counts.
    if (l.kind !== 'bypass' && !(l.kind === 'miss' && l.header === 'bypass')) this.trends.record(input.route, l.kind === 'hit' || l.kind === 'live', (l.kind === 'hit' && l.shared) || l.kind === 'live' ? undefined : (performance.now() - t0) * 1000);
    return l;
  }

  private async lookupOnce(input: CacheInput): Promise<CacheLookup> {
    const plan = cachePlan(input.policy, input.request, input.cacheControl);
    const scope = cacheScope(input.policy.scope, input.caller);
    const caller = input.caller;
    const c = this.stats.counters({ route: input.route, tenant: scope ?? 'unscoped', key: caller.keyId, team: caller.team, customer: caller.customer, agent: caller.agent, workflow: caller.workflow });
    if (scope === undefined) return this.bypassed(c, 'scope');
    if (!plan.store) return this.bypassed(c, plan.bypass!);
    const key = exactKey(scope, input.route, input.request);
    const semantic = input.policy.mode === 'semantic' ? semanticQuery(scope, input.route, input.request, input.policy.embed) : undefined;
    if (!plan.lookup) {
      // no-cache: a fresh answer, stored for the next caller; no single-flight (it must not wait for an older one).
      CacheStats.record(c, 'bypass');
      const vector = semantic ? await this.embed(c, input, semantic) : undefined;
      return { kind: 'miss', header: 'bypass', pending: this.pending(input, c, scope, key, semantic, vector, undefined) };
    }
    for (;;) {
      const exact = await this.store.get(key);
      if (exact !== undefined) return this.hit(c, 'exact', exact, undefined, false);
      let vector: Float32Array | undefined;
      let rejected = false;
      let nearMiss: { key: string; similarity: number } | undefined;
      if (semantic) {
        vector = await this.embed(c, input, semantic);
        if (vector) {
          const threshold = this.thresholds.threshold(input.route, input.policy);
          const found = verifiedCandidates(this.index, semantic, vector, threshold, this.thresholds.floor(input.policy, threshold));
          nearMiss = found.nearMiss;
          for (const m of found.matches) {
            const a = await this.store.get(m.key);
            if (a !== undefined) return this.hit(c, 'semantic', a, m.similarity, false);
            this.index.remove(m.key);
          }
          rejected = found.rejected !== undefined;
        }
      }
      const ticket = this.flights.begin(key);
      if (ticket.leader) {
        // A shared store: another instance may be leading this miss already; follow it.
        if (this.store.claim && !(await this.store.claim(key))) {
          const theirs = await this.store.follow?.(key);
          if (theirs !== undefined) {
            ticket.resolve(theirs);
            return this.hit(c, 'exact', theirs, undefined, true);
          }
        }
        CacheStats.record(c, rejected ? 'verifier-rejected' : 'miss');
        return { kind: 'miss', header: 'miss', pending: this.pending(input, c, scope, key, semantic, vector, ticket, nearMiss) };
      }
      if (input.request.stream === true) {
        // A streaming follower joins the leader's stream live once it has content; a leader
        // that ends first (or answers as JSON) hands over its whole answer below instead.
        const feed = await ticket.live;
        if (feed !== undefined) {
          CacheStats.record(c, 'hit-exact');
          c.add('sharedInFlight');
          void feed.done.then((a) => a && this.saved(c, a));
          return { kind: 'live', feed };
        }
      }
      const shared = await ticket.wait;
      if (shared !== undefined) return this.hit(c, 'exact', shared, undefined, true);
      // The leader failed: look again (another request may have stored it), then lead or follow anew.
    }
  }

  purge(filter: PurgeFilter): Promise<number> {
    return this.store.purge(filter);
  }

  /**
   * Re-indexes stored answers that were semantic (after a persistent store loaded them at
   * start). Only with a synchronous embedder: a route embedder would make start-up wait on the
   * network, so those entries then serve exact hits only until they are stored again.
   */
  reindex(entries: Iterable<[string, CachedAnswer]>): number {
    if (typeof (this.embedder as Partial<SyncEmbedder>).embedSync !== 'function') return 0;
    const e = this.embedder as SyncEmbedder;
    let n = 0;
    for (const [key, a] of entries) {
      if (a.semantic === undefined) continue;
      this.index.add(a.semantic.partition, { key, text: a.semantic.text, vector: e.embedSync(a.semantic.text) });
      n++;
    }
    return n;
  }

  private bypassed(c: Cell, reason: NonNullable<CachePlan['bypass']>): CacheLookup {
    CacheStats.record(c, 'bypass');
    return { kind: 'bypass', reason };
  }

  private hit(c: Cell, layer: 'exact' | 'semantic', answer: CachedAnswer, similarity: number | undefined, shared: boolean): CacheLookup {
    CacheStats.record(c, layer === 'exact' ? 'hit-exact' : 'hit-semantic');
    if (shared) c.add('sharedInFlight');
    this.saved(c, answer);
    const ageSeconds = Math.max(0, Math.floor((this.clock() - answer.storedAt) / 1000));
    const out: CacheLookup = { kind: 'hit', layer, answer, ageSeconds, shared };
    if (similarity !== undefined) out.similarity = similarity;
    return out;
  }

  private saved(c: Cell, answer: CachedAnswer): void {
    const u = answer.response.usage;
    if (u) c.add('tokensSaved', u.totalTokens ?? u.inputTokens + u.outputTokens);
    if (answer.costUsd !== undefined) c.add('usdSaved', answer.costUsd);
  }

  private async embed(c: Cell, input: CacheInput, q: SemanticQuery): Promise<Float32Array | undefined> {
    const route = input.route;
    const v = await (input.embed ? input.embed(q.text) : embedOne(this.embedder, q.text));
    if (v === undefined) {
      c.add('embedderErrors');
      // One warning a minute: a dead embedder must not turn every request into a log line.
      const now = this.clock();
      if (now - this.lastEmbedderWarning >= 60_000) {
        this.lastEmbedderWarning = now;
        this.warn('cache embedder failed; semantic lookups are exact-only until it answers (count in /admin/cache: embedderErrors)', { route, embedder: this.embedder.name });
      }
    }
    return v;
  }

  private pending(input: CacheInput, c: Cell, scope: string, key: string, semantic: SemanticQuery | undefined, vector: Float32Array | undefined, ticket: Ticket<CachedAnswer, LiveFeed> | undefined, nearMiss?: { key: string; similarity: number }): PendingAnswer {
    let done = false;
    let feed: LiveFeed | undefined;
    const release = (): void => {
      feed?.end(undefined);
      if (ticket?.leader) ticket.release();
      if (ticket?.leader) this.store.unclaim?.(key);
    };
    return {
      complete: (response, o = {}) => {
        if (done) return;
        done = true;
        if (response.finishReason === 'error') return release();
        if (nearMiss !== undefined) this.thresholds.observeNearMiss(input.route, input.policy, nearMiss, response);
        // The vector the semantic index keeps for this answer counts against the same byte bound.
        const vectorBytes = semantic && vector ? indexEntryBytes(vector, semantic.text) : 0;
        const answer: CachedAnswer = { response, storedAt: this.clock(), route: input.route, scope, bytes: answerBytes(response, o.textChunks) + vectorBytes };
        if (o.textChunks !== undefined) answer.textChunks = o.textChunks;
        if (o.costUsd !== undefined) answer.costUsd = o.costUsd;
        if (semantic && vector) answer.semantic = { partition: semantic.partition, text: semantic.text };
        // Followers get the answer now; storing is the memory store's synchronous work behind a promise.
        feed?.end(answer);
        if (ticket?.leader) ticket.resolve(answer);
        void this.store.set(key, answer, input.policy.ttlMs).then((kept) => {
          if (ticket?.leader) this.store.unclaim?.(key);
          if (!kept) return;
          c.add('stored');
          if (semantic && vector) this.index.add(semantic.partition, { key, vector, text: semantic.text });
        });
      },
      abandon: () => {
        if (done) return;
        done = true;
        release();
      },
      live: () => {
        if (!ticket?.leader || done) return undefined;
        if (feed === undefined) {
          const f = (feed = new LiveFeed(this.liveMaxBytes));
          f.onContent = () => ticket.publish(f);
        }
        return feed;
      },
    };
  }
}
