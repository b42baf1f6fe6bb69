// The tenant admin API as a pure request -> response function, so the server can mount it under
// /admin/* however its endpoint table works, and tests can call it without a socket:
//   POST/GET /admin/keys, GET/PATCH/DELETE /admin/keys/{id}, POST /admin/keys/{id}/rotate
//   the same for /admin/teams, /admin/customers, /admin/agents (id = name)
//   GET /admin/budgets, GET /admin/spend, GET /admin/audit
// Every change goes through TenantAdmin (validated, audited) and refreshes this process's
// directory at once; other processes see it on their next poll.

import { GROUP_BY, type GroupBy } from '../store/ledger-store.js';
import { PostgresUnavailableError } from '../store/postgres-errors.js';
import type { Governor } from './governor.js';
import { entityView, keyView, teamView } from './records.js';
import { TenantAdmin, TenantInputError } from './tenant-admin.js';
import { parseSince } from './since.js';

export interface AdminRequest {
  method: string;
  /** Path without the query string, e.g. `/admin/keys/key_abc/rotate`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** Which admin credential made the request (for the audit trail). */
  actor: string;
}

export interface AdminResponse {
  status: number;
  body: unknown;
}

const ok = (body: unknown, status = 200): AdminResponse => ({ status, body });

function errorBody(status: number, message: string, param?: string): AdminResponse {
  const type = status === 404 ? 'not_found_error' : status === 409 ? 'conflict_error' : 'invalid_request_error';
  return { status, body: { error: { message, type, code: status === 404 ? 'not_found' : status === 409 ? 'conflict' : 'invalid_request', ...(param !== undefined ? { param } : {}) } } };
}

export function tenantAdminFor(gov: Governor): TenantAdmin | undefined {
  const store = gov.tenantStore;
  if (!store) return undefined;
  return new TenantAdmin(store, () => {
    const t = gov.directory.tenants;
    return { configTeams: t.teams, configKeyIds: new Set(t.keys.map((k) => k.id)), policy: t.policy };
  });
}

export async function handleAdmin(gov: Governor, admin: TenantAdmin | undefined, req: AdminRequest): Promise<AdminResponse | undefined> {
  const parts = req.path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'admin') return undefined;
  const [, collection, id, action] = parts;
  try {
    switch (collection) {
      case 'budgets':
        return req.method === 'GET' && id === undefined ? ok({ budgets: gov.budgetsView() }) : undefined;
      case 'spend':
        return req.method === 'GET' && id === undefined ? ok(spend(gov, req.query)) : undefined;
      case 'audit': {
        if (req.method !== 'GET' || id !== undefined) return undefined;
        if (!admin) return noStore();
        const since = req.query.get('since');
        const limit = Number(req.query.get('limit') ?? 100);
        const target = req.query.get('target');
        return ok({ entries: await admin.store.audit({ limit: Number.isFinite(limit) ? limit : 100, ...(since ? { sinceMs: parseSince(since, Date.now()) } : {}), ...(target ? { target } : {}) }) });
      }
      case 'keys':
      case 'teams':
      case 'customers':
      case 'agents': {
        if (!admin) return noStore();
        const r = await crud(gov, admin, collection, req, id, action);
        if (r && req.method !== 'GET') await gov.directory.refresh();
        return r;
      }
      default:
        return undefined;
    }
  } catch (e) {
    if (e instanceof TenantInputError) return errorBody(e.status, e.message, e.field);
    // Cluster mode: the shared store is down. Retryable, so 503 and not a 500.
    if (e instanceof PostgresUnavailableError) return { status: 503, body: { error: { message: e.message, type: 'api_error', code: 'store_unavailable' } } };
    throw e;
  }
}

function noStore(): AdminResponse {
  return errorBody(400, 'run-time tenants need a store: set storage.data_dir (keys declared in the config file are managed there)');
}

async function crud(gov: Governor, admin: TenantAdmin, collection: 'keys' | 'teams' | 'customers' | 'agents', req: AdminRequest, id: string | undefined, action: string | undefined): Promise<AdminResponse | undefined> {
  const m = req.method;
  const actor = req.actor;
  if (collection === 'keys') {
    if (id === undefined) {
      if (m === 'POST') {
        const { record, key } = await admin.createKey(req.body, actor);
        return ok({ ...keyView(record), key }, 201);
      }
      if (m === 'GET') {
        const configKeys = gov.directory.tenants.keys;
        const stored = await admin.listKeys();
        return ok({ keys: [...configKeys, ...stored].map((k) => keyView(k, gov.directory.lastUsedAt(k.id))) });
      }
      return undefined;
    }
    if (action === 'rotate' && m === 'POST') {
      const { record, key } = await admin.rotateKey(id, actor);
      return ok({ ...keyView(record), key });
    }
    if (action !== undefined) return undefined;
    if (m === 'GET') {
      const cfg = gov.directory.tenants.keys.find((k) => k.id === id);
      const k = cfg ?? (await admin.getKey(id));
      return ok(keyView(k, gov.directory.lastUsedAt(k.id)));
    }
    if (m === 'PATCH') return ok(keyView(await admin.updateKey(id, req.body, actor)));
    if (m === 'DELETE') return ok(keyView(await admin.revokeKey(id, actor)));
    return undefined;
  }
  if (action !== undefined) return undefined;
  if (collection === 'teams') {
    if (id === undefined) {
      if (m === 'POST') return ok(teamView(await admin.createTeam(req.body, actor)), 201);
      if (m === 'GET') return ok({ teams: (await admin.listTeams()).map(teamView) });
      return undefined;
    }
    if (m === 'GET') return ok(teamView(await admin.getTeam(id)));
    if (m === 'PATCH') return ok(teamView(await admin.updateTeam(id, req.body, actor)));
    if (m === 'DELETE') {
      await admin.deleteTeam(id, actor);
      return ok({ deleted: id });
    }
    return undefined;
  }
  const kind = collection === 'customers' ? 'customer' : 'agent';
  if (id === undefined) {
    if (m === 'POST') return ok(entityView(await admin.putEntity(kind, req.body, actor)), 201);
    if (m === 'GET') return ok({ [collection]: [...gov.directory.entities(kind)].map(entityView) });
    return undefined;
  }
  if (m === 'GET') {
    const e = kind === 'customer' ? gov.directory.customer(id) : gov.directory.agent(id);
    return e ? ok(entityView(e)) : errorBody(404, `no ${kind} "${id}"`, 'id');
  }
  if (m === 'PATCH') return ok(entityView(await admin.putEntity(kind, req.body, actor, id)));
  if (m === 'DELETE') {
    await admin.deleteEntity(kind, id, actor);
    return ok({ deleted: id });
  }
  return undefined;
}

function spend(gov: Governor, q: URLSearchParams): unknown {
  const store = gov.ledgerStore;
  if (!store) throw new TenantInputError('the spend ledger needs a store: set storage.data_dir', 'group_by');
  const groupBy = (q.get('group_by') ?? 'agent') as GroupBy;
  if (!GROUP_BY.includes(groupBy)) throw new TenantInputError(`group_by: expected one of ${GROUP_BY.join(', ')}`, 'group_by');
  const now = Date.now();
  const sinceText = q.get('since') ?? '24h';
  let sinceMs: number;
  try {
    sinceMs = parseSince(sinceText, now);
  } catch (e) {
    throw new TenantInputError(`since: ${(e as Error).message}`, 'since');
  }
  gov.ledger?.flush();
  const filters: Record<string, string> = {};
  for (const f of ['team', 'customer', 'agent'] as const) {
    const v = q.get(f);
    if (v !== null) filters[f] = v;
  }
  const key = q.get('key');
  const rows = store.spend({ groupBy, sinceMs, ...filters, ...(key !== null ? { keyId: key } : {}) });
  return {
    group_by: groupBy,
    since: new Date(sinceMs).toISOString(),
    rows: rows.map((r) => ({ [groupBy]: r.value, requests: r.requests, errors: r.errors, input_tokens: r.inputTokens, output_tokens: r.outputTokens, cost_usd: Math.round(r.costUsd * 1e6) / 1e6 })),
  };
}
