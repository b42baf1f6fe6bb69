// Conversions between the store's JSON bodies and the typed records, and the public views the
// admin API and CLI show (never a hash, never a key).

import type { StoredTenant } from '../store/tenant-store.js';
import type { EntityRecord, KeyRecord, TeamRecord } from './types.js';

export function keyFromStored(t: StoredTenant): KeyRecord {
  return { ...(t.body as unknown as KeyRecord), source: 'store' };
}

export function teamFromStored(t: StoredTenant): TeamRecord {
  return { ...(t.body as unknown as TeamRecord), source: 'store' };
}

export function entityFromStored(t: StoredTenant): EntityRecord {
  return { ...(t.body as unknown as EntityRecord), source: 'store' };
}

export function toBody(r: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (v !== undefined && k !== 'source') out[k] = v;
  return out;
}

const iso = (ms: number | undefined) => (ms === undefined || ms === 0 ? undefined : new Date(ms).toISOString());

/** What lists and `show` print for a key: identity, bindings, settings, state. */
export function keyView(k: KeyRecord, lastUsedAt?: number): Record<string, unknown> {
  return clean({
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    team: k.team,
    customer: k.customer,
    agent: k.agent,
    routes: k.routes,
    tiers: k.tiers,
    providers: k.providers,
    sensitivity: k.sensitivity,
    budget: k.budget,
    limits: k.limits,
    metadata: k.metadata,
    enabled: k.enabled,
    status: keyStatus(k, Date.now()),
    expires_at: iso(k.expiresAt),
    revoked_at: iso(k.revokedAt),
    created_at: iso(k.createdAt),
    last_used_at: iso(lastUsedAt),
    source: k.source,
  });
}

export function keyStatus(k: KeyRecord, now: number): 'active' | 'revoked' | 'disabled' | 'expired' {
  if (k.revokedAt !== undefined) return 'revoked';
  if (!k.enabled) return 'disabled';
  if (k.expiresAt !== undefined && now >= k.expiresAt) return 'expired';
  return 'active';
}

export function teamView(t: TeamRecord): Record<string, unknown> {
  return clean({ ...t, createdAt: undefined, created_at: iso(t.createdAt) });
}

export function entityView(e: EntityRecord): Record<string, unknown> {
  return clean({ ...e, createdAt: undefined, created_at: iso(e.createdAt) });
}

function clean(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}
