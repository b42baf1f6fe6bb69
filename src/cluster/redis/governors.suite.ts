// Test helper: N Governors standing for N gateway instances, each with its own Redis connection
// and RedisAdmissionStore over one real redis-server, one injected clock for all (the scripts
// take it as an argument, so lease expiry and window rollover are driven, never waited for).

import { findBinary } from '../../../testkit/cluster-servers.js';
import { testDeployment, testProvider } from '../../../testkit/routing-builders.js';
import { Governor, type AdmitInput } from '../../governance/governor.js';
import { hashKey } from '../../governance/keys.js';
import type { BudgetSpec, KeyRecord, TenantSettings } from '../../governance/types.js';
import { RedisAdmissionStore, type RedisAdmissionOptions } from './admission-store.js';
import { createRedis, ready, type ScriptedRedis } from './client.js';
import { LocalSharePolicy } from './local-policy.js';

export const noRedis = findBinary('redis-server') === undefined ? 'redis-server is not installed' : false;

export const log = { info: () => {}, warn: () => {}, error: () => {} };
export const KEY = `mp-${'a'.repeat(32)}`;
// $1 per million input tokens, $10 per million output tokens.
export const priced = testDeployment('priced', { provider: testProvider('oai', { jurisdiction: 'US' }), price: { inputPerMTok: 1, outputPerMTok: 10 } });
export const budget = (usd: number, over: Partial<BudgetSpec> = {}): BudgetSpec => ({ usd, period: 'day', soft: 0.8, enforce: true, onUnknownCost: 'reserve', cutoff: false, ...over });

export function settings(key: Partial<KeyRecord>): TenantSettings {
  return {
    teams: new Map(),
    keys: [{ id: 'k1', name: 'bot', hash: hashKey(KEY), prefix: KEY.slice(0, 11), enabled: true, createdAt: 0, source: 'config', ...key }],
    customers: new Map(),
    agents: new Map(),
    policy: { tiers: [] },
    alerts: {},
    ledger: { enabled: false },
  };
}

export interface Instance {
  gov: Governor;
  store: RedisAdmissionStore;
  redis: ScriptedRedis;
  /** Admissions the unavailable policy answered (a test of exactness asserts none). */
  fallbacks: string[];
}

export async function instances(
  url: string,
  n: number,
  s: TenantSettings,
  clock: { now: number },
  over: Partial<Omit<RedisAdmissionOptions, 'redis' | 'book'>> = {},
): Promise<Instance[]> {
  const out: Instance[] = [];
  for (let i = 0; i < n; i++) {
    const redis = createRedis(url, { name: `test-${i}` });
    await ready(redis);
    let store: RedisAdmissionStore | undefined;
    const fallbacks: string[] = [];
    const gov = new Governor({
      settings: s,
      log,
      now: () => clock.now,
      admissionStore: (book) =>
        (store = new RedisAdmissionStore({
          redis,
          prefix: 'mp:',
          book,
          now: () => clock.now,
          fallback: new LocalSharePolicy(() => clock.now, () => store?.liveInstances ?? 1),
          // A loaded test machine must not turn a slow answer into the local policy.
          timeoutMs: 10_000,
          onFallback: (r) => fallbacks.push(r),
          ...over,
        })),
    });
    out.push({ gov, store: store!, redis, fallbacks });
  }
  return out;
}

export function input(g: Governor, over: Partial<AdmitInput> = {}): AdmitInput {
  return { principal: g.authenticate(KEY), headers: {}, route: 'chat', targets: [priced], inputTokens: 1000, maxTokens: 1000, ...over };
}

export async function closeAll(xs: Instance[]): Promise<void> {
  // Close everything first: an open connection keeps reconnecting and the test process alive.
  for (const x of xs) {
    await x.gov.close();
    x.redis.disconnect();
  }
  const fell = xs.find((x) => x.fallbacks.length > 0);
  if (fell) throw new Error(`${fell.fallbacks.length} admissions fell back to the local policy (${fell.fallbacks[0]})`);
}
