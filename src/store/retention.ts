// Bounds the responses store: a timer applies the retention policy (age and count) in the
// background, so the store stops growing without limit. The sweep runs off any request's path;
// on SQLite it is one DELETE statement per rule.
import type { ResponsesStore, RetentionPolicy } from './responses-store.js';

export const DEFAULT_PRUNE_INTERVAL_MS = 60_000;

/** Which stored responses a policy removes, for in-memory implementations. Oldest first. */
export function expiredIds(entries: Iterable<{ id: string; createdAt: number }>, policy: RetentionPolicy, nowMs: number): string[] {
  const all = [...entries].sort((a, b) => a.createdAt - b.createdAt);
  const out: string[] = [];
  const cutoff = policy.maxAgeMs === undefined ? -Infinity : (nowMs - policy.maxAgeMs) / 1000;
  let keep = all.length;
  for (const r of all) {
    if (r.createdAt < cutoff || (policy.maxEntries !== undefined && keep > policy.maxEntries)) {
      out.push(r.id);
      keep--;
    }
  }
  return out;
}

/** Prunes `store` every `intervalMs` until the returned function is called. */
export function scheduleRetention(store: Pick<ResponsesStore, 'prune'>, policy: RetentionPolicy, intervalMs = DEFAULT_PRUNE_INTERVAL_MS, onError: (err: unknown) => void = () => {}): () => void {
  if (policy.maxAgeMs === undefined && policy.maxEntries === undefined) return () => {};
  const timer = setInterval(() => {
    try {
      const r = store.prune(policy);
      if (r instanceof Promise) r.catch(onError);
    } catch (err) {
      onError(err);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
