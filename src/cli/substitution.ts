// `modelplane shadow report`, `modelplane promote status|pause|resume|abort`, `modelplane replay`.
// The first two read and steer a running gateway through its admin API; replay runs locally over
// request logs (or, once it lands, the spend ledger).
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { loadSnapshotFromFile } from '../config/load.js';
import { formatReplay, replay } from '../replay/replay.js';
import { RequestLogSource } from '../replay/source.js';
import { formatLive, liveEstimate, type LiveEstimate } from '../replay/live.js';
import { gatewayArgs, type CliIo } from './eval.js';
import { parseSince } from './since.js';

const stdio: CliIo = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s), env: process.env };

export const SUBSTITUTION_HELP = `usage:
  modelplane shadow report [--route R] [--format table|json] [--url URL] [--key KEY]
  modelplane promote status|pause|resume|abort [--route R] [--format table|json] [--url URL] [--key KEY]
  modelplane replay --policy NEW.yaml --log FILE [--log FILE ...] [--config CURRENT.yaml] [--since 7d] [--route R] [--format table|json]
      [--live N --url URL --key KEY]   also re-send N logged prompts (log_bodies) through the running gateway to the policy's deployment
`;

export { parseSince } from './since.js';

async function admin(io: CliIo, url: string | undefined, key: string | undefined, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const g = gatewayArgs(io.env, url, key);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (g.apiKey) headers.authorization = `Bearer ${g.apiKey}`;
  const res = await fetch(`${g.baseUrl.replace(/\/+$/, '')}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  if (!res.ok) {
    let msg = text;
    try {
      msg = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
    } catch {
      /* not JSON */
    }
    throw new Error(`${method} ${path}: ${res.status} ${msg}`);
  }
  return JSON.parse(text) as unknown;
}

const f3 = (n: number | null | undefined) => (n === null || n === undefined ? '-' : n.toFixed(3));
const pct = (n: number | null | undefined) => (n === null || n === undefined ? '-' : `${n >= 0 ? '+' : ''}${(100 * n).toFixed(1)}%`);

interface ShadowRowView {
  route: string;
  candidate: string;
  pairs: number;
  dropped: number;
  shadow_error_rate: number;
  mean_similarity: number | null;
  json_regressions: number;
  latency_delta: number | null;
  cost_delta: number | null;
  judge: { wins: number; ties: number; losses: number; win_rate: number | null; ci: [number, number] | null };
  worst: Array<{ request_id: string; similarity: number; primary: string; shadow: string }>;
}

function judged(j: ShadowRowView['judge']): string {
  if (j.win_rate === null || j.ci === null) return '-';
  return `${(100 * j.win_rate).toFixed(0)}% (${(100 * j.ci[0]).toFixed(0)}-${(100 * j.ci[1]).toFixed(0)}) n=${j.wins + j.ties + j.losses}`;
}

function shadowTable(rows: ShadowRowView[]): string {
  const out = [`${'route'.padEnd(16)} ${'candidate'.padEnd(18)} ${'pairs'.padStart(6)} ${'dropped'.padStart(7)} ${'errors'.padStart(7)} ${'similarity'.padStart(10)} ${'json-'.padStart(5)} ${'latency'.padStart(8)} ${'cost'.padStart(8)} ${'judged win (95%)'.padStart(22)}`];
  for (const r of rows) {
    out.push(`${r.route.padEnd(16)} ${r.candidate.padEnd(18)} ${String(r.pairs).padStart(6)} ${String(r.dropped).padStart(7)} ${(100 * r.shadow_error_rate).toFixed(1).padStart(6)}% ${f3(r.mean_similarity).padStart(10)} ${String(r.json_regressions).padStart(5)} ${pct(r.latency_delta).padStart(8)} ${pct(r.cost_delta).padStart(8)} ${judged(r.judge).padStart(22)}`);
    for (const w of r.worst.slice(0, 3)) out.push(`    ${f3(w.similarity)}  ${w.request_id}\n      primary: ${w.primary}\n      shadow:  ${w.shadow}`);
  }
  return out.join('\n') + '\n';
}

interface PromotionView {
  route: string;
  candidate: string;
  status: string;
  step: number;
  steps: number[];
  share: number;
  reason?: string;
  config_change?: string;
  guards: Array<{ guard: string; verdict: string; detail: string }>;
  history: Array<{ at: string; event: string; share: number; reason?: string }>;
}

function promotionTable(ps: PromotionView[]): string {
  if (ps.length === 0) return 'no promotions configured\n';
  const out: string[] = [];
  for (const p of ps) {
    out.push(`${p.route}: ${p.status}, candidate ${p.candidate} at ${p.share}% (step ${p.step} of ${p.steps.join('/')})${p.reason ? `\n  reason: ${p.reason}` : ''}`);
    for (const g of p.guards) out.push(`  ${g.verdict.padEnd(12)} ${g.guard}: ${g.detail}`);
    for (const e of p.history.slice(-10)) out.push(`  ${e.at} ${e.event.padEnd(22)} ${String(e.share).padStart(3)}%${e.reason ? `  ${e.reason}` : ''}`);
    if (p.config_change) out.push(`  commit this config change: ${p.config_change}`);
  }
  return out.join('\n') + '\n';
}

export async function runSubstitutionCli(command: string, args: string[], io: CliIo = stdio): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        route: { type: 'string' },
        format: { type: 'string' },
        url: { type: 'string' },
        key: { type: 'string' },
        policy: { type: 'string' },
        config: { type: 'string' },
        log: { type: 'string', multiple: true },
        since: { type: 'string' },
        live: { type: 'string' },
      },
    });
  } catch (e) {
    io.err(`modelplane ${command}: ${(e as Error).message}\n${SUBSTITUTION_HELP}`);
    return 2;
  }
  const v = parsed.values;
  const [sub] = parsed.positionals;
  const json = v.format === 'json';
  if (v.format !== undefined && !json && v.format !== 'table') {
    io.err(`modelplane ${command}: --format is table or json\n`);
    return 2;
  }
  try {
    if (command === 'shadow' && sub === 'report') {
      const q = v.route ? `?route=${encodeURIComponent(v.route)}` : '';
      const body = (await admin(io, v.url, v.key, 'GET', `/admin/shadow${q}`)) as { routes: ShadowRowView[] };
      io.out(json ? JSON.stringify(body, null, 2) + '\n' : shadowTable(body.routes));
      return 0;
    }
    if (command === 'promote' && (sub === 'status' || sub === 'pause' || sub === 'resume' || sub === 'abort')) {
      let body: { promotions: PromotionView[] };
      if (sub === 'status') body = (await admin(io, v.url, v.key, 'GET', '/admin/promotions')) as typeof body;
      else {
        if (!v.route) throw new Error(`promote ${sub}: --route R is required`);
        body = (await admin(io, v.url, v.key, 'POST', `/admin/promotions/${sub}`, { route: v.route })) as typeof body;
      }
      const ps = v.route ? body.promotions.filter((p) => p.route === v.route) : body.promotions;
      io.out(json ? JSON.stringify(ps, null, 2) + '\n' : promotionTable(ps));
      return ps.some((p) => p.status === 'rolled_back') ? 1 : 0;
    }
    if (command === 'replay') {
      if (!v.policy || !v.log?.length) {
        io.err(`modelplane replay: --policy FILE and --log FILE are required\n${SUBSTITUTION_HELP}`);
        return 2;
      }
      const policy = loadSnapshotFromFile(resolve(v.policy), { env: io.env });
      const current = v.config ? loadSnapshotFromFile(resolve(v.config), { env: io.env }) : undefined;
      const filter = { ...(v.since ? { since: Date.now() - parseSince(v.since) } : {}), ...(v.route ? { route: v.route } : {}) };
      const logs = v.log.map((f) => resolve(f));
      const report = await replay(new RequestLogSource(logs), { policy, ...(current ? { current } : {}), filter });
      let live: LiveEstimate | undefined;
      if (v.live !== undefined) {
        const n = Number(v.live);
        const route = v.route ? policy.routes.get(v.route) : undefined;
        if (!Number.isInteger(n) || n < 1 || !route) throw new Error('--live N needs a positive N and --route R (a route of the policy)');
        live = await liveEstimate(logs, route, n, filter.since, { ...gatewayArgs(io.env, v.url, v.key), priceOf: (d) => policy.deployments.get(d)?.price });
        if (!live) throw new Error(`--live: no logged prompts of route ${route.name} (is logging.log_bodies on?)`);
      }
      io.out(json ? JSON.stringify(live ? { ...report, live } : report, null, 2) + '\n' : formatReplay(report) + (live ? formatLive(live) : ''));
      return 0;
    }
  } catch (e) {
    io.err(`modelplane ${command}: ${(e as Error).message}\n`);
    return 1;
  }
  io.err(SUBSTITUTION_HELP);
  return 2;
}
