// Cluster mode's own endpoints and lifecycle: `GET /readyz` that reflects Redis and Postgres
// (a load balancer stops sending to an instance that cannot admit), `GET /admin/cluster` (the
// registry: instances, version, config hash, last heartbeat, mismatches; this instance's spool),
// and closing the shared stores last, after the tenancy extension has flushed its ledger.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { openaiChat } from '../formats/index.js';
import type { Answer, Call } from '../gateway/call.js';
import { idHeaders, type EndpointSpec } from '../gateway/endpoint.js';
import type { Extension } from '../gateway/extension.js';
import { writeJson } from '../gateway/render.js';
import { GatewayError } from '../spec/errors.js';
import { packageVersion } from '../cli/version.js';
import { InstanceRegistry } from './registry.js';
import { GROUP_BY, type GroupBy } from '../store/ledger-store.js';
import { clusterSpend } from '../store/postgres-ledger.js';
import { parseSince } from '../governance/since.js';
import type { SharedStores } from './stores.js';

function endpoint(auth: 'none' | 'admin', produce: (call: Call) => Promise<{ status: number; body: unknown }>): EndpointSpec {
  return {
    kind: auth === 'none' ? 'probe' : 'admin',
    format: 'openai-chat',
    method: 'GET',
    auth,
    errors: openaiChat,
    idHeaders: idHeaders.plain,
    logged: false,
    produce: async (_d, _l, call): Promise<Answer> => ({ kind: 'json', ...(await produce(call)) }),
    render(call: Call, answer: Answer) {
      if (answer.kind !== 'json') throw new GatewayError('internal_error', 'cluster endpoints answer JSON');
      writeJson(call, answer.status, JSON.stringify(answer.body));
    },
  };
}

/** Hash of the config file's text (what a rollout changes), or of the snapshot's routes when there is no file. */
export function configHash(configFile: string | undefined, fallback: string): string {
  let text = fallback;
  if (configFile !== undefined) {
    try {
      text = readFileSync(configFile, 'utf8');
    } catch {
      // keep the fallback: a file that vanished mid-run is reported by the reload, not here
    }
  }
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function clusterExtension(stores: SharedStores, opts: { configFile?: string; fallbackHash: string }): Extension {
  let hash = configHash(opts.configFile, opts.fallbackHash);
  const registry = new InstanceRegistry({
    redis: stores.redis,
    prefix: stores.settings.redis.keyPrefix,
    id: stores.instanceId,
    version: packageVersion(),
    // Re-read on each beat is a file read a second: cheap, and a hot reload shows up at once.
    configHash: () => (hash = configHash(opts.configFile, opts.fallbackHash)),
    spool: () => stores.ledgerStore.depth(),
  });
  registry.start();
  const endpoints = new Map<string, EndpointSpec>();
  endpoints.set(
    'GET /readyz',
    endpoint('none', async (call) => {
      const r = await stores.readiness();
      return {
        status: r.ready ? 200 : 503,
        body: { status: r.ready ? 'ready' : 'not_ready', config_version: call.ex.snapshot.version, routes: call.ex.snapshot.routes.size, redis: r.redis, postgres: r.postgres, spool: r.spool, spool_full: r.spoolFull },
      };
    }),
  );
  endpoints.set(
    'GET /admin/cluster',
    endpoint('admin', async () => {
      let instances: Awaited<ReturnType<InstanceRegistry['list']>> | undefined;
      let error: string | undefined;
      try {
        instances = await registry.list();
      } catch (e) {
        error = `the instance registry (Redis) is unavailable: ${(e as Error).message}`;
      }
      const ledger = stores.ledgerStore;
      return {
        status: 200,
        body: {
          self: stores.instanceId,
          config_hash: hash,
          config_mismatch: instances?.some((i) => i.configMismatch) ?? false,
          instances: instances?.map((i) => ({ id: i.id, version: i.version, config_hash: i.configHash, config_mismatch: i.configMismatch, pid: i.pid, started_at: new Date(i.startedAt).toISOString(), last_heartbeat: new Date(i.lastHeartbeat).toISOString(), spool: i.spool, self: i.self })) ?? [],
          ...(error ? { registry_error: error } : {}),
          spool: { depth: ledger.depth(), full: ledger.full(), shipped: ledger.shipped, last_ship: ledger.lastShipAt === undefined ? null : new Date(ledger.lastShipAt).toISOString(), last_error: ledger.lastError ?? null },
        },
      };
    }),
  );
  endpoints.set(
    'GET /admin/cluster/spend',
    endpoint('admin', async (call) => {
      const q = new URLSearchParams((call.ex.req.url ?? '').split('?')[1] ?? '');
      const groupBy = (q.get('group_by') ?? 'agent') as GroupBy;
      if (!GROUP_BY.includes(groupBy)) return { status: 400, body: { error: { message: `group_by: expected one of ${GROUP_BY.join(', ')}`, type: 'invalid_request_error', param: 'group_by' } } };
      let sinceMs: number;
      try {
        sinceMs = parseSince(q.get('since') ?? '24h', Date.now());
      } catch (e) {
        return { status: 400, body: { error: { message: `since: ${(e as Error).message}`, type: 'invalid_request_error', param: 'since' } } };
      }
      let rows;
      try {
        rows = await clusterSpend(stores.pool, { groupBy, sinceMs });
      } catch (e) {
        return { status: 503, body: { error: { message: `the shared ledger (Postgres) is unavailable, try again shortly: ${(e as Error).message}`, type: 'api_error', code: 'store_unavailable' } } };
      }
      return {
        status: 200,
        body: {
          group_by: groupBy,
          since: new Date(sinceMs).toISOString(),
          // Records still in an instance's spool are not in Postgres yet: each spool's depth is in /admin/cluster.
          rows: rows.map((r) => ({ [groupBy]: r.value, requests: r.requests, errors: r.errors, input_tokens: r.inputTokens, output_tokens: r.outputTokens, cost_usd: Math.round(r.costUsd * 1e6) / 1e6 })),
        },
      };
    }),
  );
  return {
    name: 'cluster',
    endpoints,
    close: async () => {
      await registry.stop();
    },
  };
}
