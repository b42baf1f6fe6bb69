// Which requests the cache may answer and which it may keep. The route opts in; the request can
// only opt out (it never widens what is cached or shared): `cache-control: no-cache` skips the
// lookup but stores the fresh answer, `no-store` does neither, and the same through OpenAI
// `metadata.cache_control`. Answers meant to vary (n > 1, logprobs, a high temperature) are not
// cached unless the route says otherwise.

import type { RouteCachePolicy } from '../config/snapshot.js';
import type { CanonicalRequest } from '../spec/canonical.js';

export interface CachePlan {
  lookup: boolean;
  store: boolean;
  /** Why the request bypasses the cache, when it does (for the log and the header). */
  bypass?: 'no-store' | 'no-cache' | 'n' | 'logprobs' | 'temperature' | 'scope';
}

function directives(v: string | undefined): Set<string> {
  const out = new Set<string>();
  if (v === undefined) return out;
  for (const d of v.split(',')) out.add(d.trim().toLowerCase());
  return out;
}

export function cachePlan(policy: RouteCachePolicy, r: CanonicalRequest, cacheControlHeader: string | undefined): CachePlan {
  const d = directives(cacheControlHeader);
  for (const x of directives(r.metadata?.cache_control ?? r.metadata?.['cache-control'])) d.add(x);
  if (d.has('no-store')) return { lookup: false, store: false, bypass: 'no-store' };
  if ((r.n ?? 1) > 1 && !policy.allowN) return { lookup: false, store: false, bypass: 'n' };
  if ((r.logprobs === true || r.topLogprobs !== undefined) && !policy.allowLogprobs) return { lookup: false, store: false, bypass: 'logprobs' };
  if (r.temperature !== undefined && r.temperature > policy.maxTemperature) return { lookup: false, store: false, bypass: 'temperature' };
  if (d.has('no-cache')) return { lookup: false, store: true, bypass: 'no-cache' };
  return { lookup: true, store: true };
}
