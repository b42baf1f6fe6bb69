// The tenant scope of a cache entry: derived from the authenticated caller and the route's
// configured scope, never from anything the request body or headers say (a caller-chosen cache
// key lets one team probe another's answers). A scope the caller cannot fill (scope `team` for
// a key without a team) falls back to the narrower key scope: an unfilled scope must never
// widen sharing.

import type { CacheScopeKind } from '../config/snapshot.js';
import type { Caller } from '../gateway/call.js';

/** The parts of the gateway's `Caller` (src/gateway/call.ts) that a scope is made of (and the KPI is attributed to). */
export type ScopeCaller = Pick<Caller, 'kind' | 'keyId' | 'team' | 'customer' | 'agent' | 'workflow'>;

/**
 * Opaque scope string; the prefix keeps the namespaces apart (`team:x` is never `key:x`).
 * Undefined (the request bypasses the cache) for a key caller without a key id: pooling such
 * callers would share answers between keys.
 */
export function cacheScope(kind: CacheScopeKind, caller: ScopeCaller): string | undefined {
  if (kind === 'global') return 'global';
  if (kind === 'team' && caller.team !== undefined) return `team:${caller.team}`;
  if (kind === 'customer' && caller.customer !== undefined) return `customer:${caller.customer}`;
  if (caller.kind === 'key') return caller.keyId === undefined ? undefined : `key:${caller.keyId}`;
  // No tenant system: the master key (or an open gateway) is one tenant.
  return caller.kind;
}
