// `modelplane shadow report`, `modelplane promote status|pause|resume|abort`, `modelplane replay`.
// The first two read and steer a running gateway through its admin API; replay runs locally over
// the spend ledger (or request logs). Flags: args.ts, from the specs in substitution-commands.ts.
import { resolve } from 'node:path';
import { formatReplay, replay } from '../replay/replay.js';
import { LedgerReplaySource } from '../replay/ledger-source.js';
import { RequestLogSource, type ReplaySource } from '../replay/source.js';
import { formatLive, liveEstimate, type LiveEstimate } from '../replay/live.js';
import { UsageError, type FlagValues } from './args.js';
import { parseGuards } from '../promotion/guard-spec.js';
import { capturedCases, gatewayArgs, numberFlag, parseOrExit, sinceFlag, str, type CliIo } from './eval.js';
import { PROMOTE, REPLAY, SHADOW_REPORT } from './substitution-commands.js';
import { loadConfigWithoutSecrets, openLedger, readOutputObservations } from './substitution-stores.js';
import { outputRatios } from '../replay/output-ratios.js';

const stdio: CliIo = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s), env: process.env };

export const SUBSTITUTION_HELP = `usage:
  modelplane shadow report [--route R] [--format table|json] [--url URL] [--key KEY]
  modelplane promote start --route R --candidate D --steps 1,5,25,50,100 --interval 30m [--guard 'error_rate<=+1%' ...]
  modelplane promote status|pause|resume|abort [--route R] [--format table|json] [--url URL] [--key KEY]
  modelplane replay --policy NEW.yaml (--config CURRENT.yaml | --log FILE ...) [--since 30d] [--route R] [--format table|json] [--live N]
Each command's --help lists every flag.
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
  assertions: { pairs: number; primary_pass_rate: number; shadow_pass_rate: number; regressions: number } | null;
}

function judged(j: ShadowRowView['judge']): string {
  if (j.win_rate === null || j.ci === null) return '-';
  return `${(100 * j.win_rate).toFixed(0)}% (${(100 * j.ci[0]).toFixed(0)}-${(100 * j.ci[1]).toFixed(0)}) n=${j.wins + j.ties + j.losses}`;
}

function shadowTable(rows: ShadowRowView[]): string {
  const out = [`${'route'.padEnd(16)} ${'candidate'.padEnd(18)} ${'pairs'.padStart(6)} ${'dropped'.padStart(7)} ${'errors'.padStart(7)} ${'similarity'.padStart(10)} ${'json-'.padStart(5)} ${'latency'.padStart(8)} ${'cost'.padStart(8)} ${'judged win (95%)'.padStart(22)}`];
  for (const r of rows) {
    out.push(`${r.route.padEnd(16)} ${r.candidate.padEnd(18)} ${String(r.pairs).padStart(6)} ${String(r.dropped).padStart(7)} ${(100 * r.shadow_error_rate).toFixed(1).padStart(6)}% ${f3(r.mean_similarity).padStart(10)} ${String(r.json_regressions).padStart(5)} ${pct(r.latency_delta).padStart(8)} ${pct(r.cost_delta).padStart(8)} ${judged(r.judge).padStart(22)}`);
    if (r.assertions) out.push(`    assertions: primary ${(100 * r.assertions.primary_pass_rate).toFixed(1)}%, candidate ${(100 * r.assertions.shadow_pass_rate).toFixed(1)}% of ${r.assertions.pairs} pairs pass; ${r.assertions.regressions} regressed`);
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

function formatFlag(command: string, v: string | boolean | undefined): boolean {
  const f = str(v);
  if (f !== undefined && f !== 'table' && f !== 'json') throw new UsageError(`modelplane ${command}: --format is table or json, got "${f}"`);
  return f === 'json';
}

export async function runSubstitutionCli(command: string, args: string[], io: CliIo = stdio): Promise<number> {
  try {
    if (command === 'shadow') {
      const [sub, ...rest] = args;
      if (sub !== 'report') {
        if (sub === '--help' || sub === '-h') {
          io.out(SUBSTITUTION_HELP);
          return 0;
        }
        throw new UsageError(`modelplane shadow: ${sub === undefined ? 'which subcommand?' : `unknown subcommand "${sub}"`} (modelplane shadow report [--route R])`);
      }
      return await shadowReport(rest, io);
    }
    if (command === 'promote') return await promote(args, io);
    if (command === 'replay') return await replayCommand(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\n`);
      return 2;
    }
    io.err(`modelplane ${command}: ${(e as Error).message}\n`);
    return 1;
  }
  io.err(SUBSTITUTION_HELP);
  return 2;
}

async function shadowReport(args: string[], io: CliIo): Promise<number> {
  const p = parseOrExit(SHADOW_REPORT, args, io);
  if (typeof p === 'number') return p;
  const v = p.values;
  const json = formatFlag('shadow report', v.format);
  const route = str(v.route);
  const since = sinceFlag('shadow report', v.since);
  const q = new URLSearchParams();
  if (route) q.set('route', route);
  if (since !== undefined) q.set('since', String(since));
  const body = (await admin(io, str(v.url), str(v.key), 'GET', `/admin/shadow${q.size > 0 ? `?${q}` : ''}`)) as { routes: ShadowRowView[] };
  io.out(json ? JSON.stringify(body, null, 2) + '\n' : shadowTable(body.routes));
  return 0;
}

const PROMOTE_SUBS = ['start', 'status', 'pause', 'resume', 'abort'];

/** `promote start` flags -> the `promotion:` block the admin API takes (the same shape as the config's). */
function startBlock(v: FlagValues, guards: readonly string[]): Record<string, unknown> {
  const candidate = str(v.candidate);
  const steps = str(v.steps);
  const interval = str(v.interval);
  if (!candidate || !steps || !interval) throw new UsageError('modelplane promote start: --candidate D, --steps 1,5,25,50,100 and --interval 30m are required');
  const shares = steps.split(',').map((x) => Number(x.trim()));
  if (shares.some((x) => !Number.isFinite(x) || x <= 0 || x > 100)) throw new UsageError(`modelplane promote start: --steps expects percentages from 1 to 100 separated by commas, got "${steps}"`);
  let g;
  try {
    g = parseGuards(guards);
  } catch (e) {
    throw new UsageError(`modelplane promote start: ${(e as Error).message}`);
  }
  const block: Record<string, unknown> = { candidate, steps: shares, interval, guards: g };
  if (v['min-samples'] !== undefined) block.min_samples = numberFlag('promote start', 'min-samples', v['min-samples'], 30, 1, 1_000_000, true);
  return block;
}

async function promote(args: string[], io: CliIo): Promise<number> {
  const p = parseOrExit(PROMOTE, args, io);
  if (typeof p === 'number') return p;
  const v = p.values;
  const [sub, extra] = p.positionals;
  if (sub === undefined || !PROMOTE_SUBS.includes(sub)) throw new UsageError(`modelplane promote: ${sub === undefined ? 'which subcommand?' : `unknown subcommand "${sub}"`} (start, status, pause, resume or abort)`);
  if (extra !== undefined) throw new UsageError(`modelplane promote: unexpected argument "${extra}"`);
  const json = formatFlag('promote', v.format);
  const route = str(v.route);
  let body: { promotions: PromotionView[] };
  if (sub === 'status') body = (await admin(io, str(v.url), str(v.key), 'GET', '/admin/promotions')) as typeof body;
  else if (sub === 'start') {
    if (!route) throw new UsageError('modelplane promote start: --route R is required');
    body = (await admin(io, str(v.url), str(v.key), 'POST', '/admin/promotions/start', { route, promotion: startBlock(v, p.lists.guard ?? []) })) as typeof body;
  } else {
    if (!route) throw new UsageError(`modelplane promote ${sub}: --route R is required`);
    body = (await admin(io, str(v.url), str(v.key), 'POST', `/admin/promotions/${sub}`, { route })) as typeof body;
  }
  const ps = route ? body.promotions.filter((x) => x.route === route) : body.promotions;
  io.out(json ? JSON.stringify(ps, null, 2) + '\n' : promotionTable(ps));
  return ps.some((x) => x.status === 'rolled_back') ? 1 : 0;
}

async function replayCommand(args: string[], io: CliIo): Promise<number> {
  const p = parseOrExit(REPLAY, args, io);
  if (typeof p === 'number') return p;
  const v = p.values;
  const json = formatFlag('replay', v.format);
  const policyFile = str(v.policy);
  const config = str(v.config);
  const logs = (p.lists.log ?? []).map((f) => resolve(f));
  if (!policyFile) throw new UsageError('modelplane replay: --policy FILE (the candidate config) is required');
  if (!config && logs.length === 0) throw new UsageError('modelplane replay: --config FILE (whose data_dir holds the spend ledger) or --log FILE is required');
  const route = str(v.route);
  const live = v.live === undefined ? undefined : numberFlag('replay', 'live', v.live, 0, 1, 100_000, true);
  if (live !== undefined && !route) throw new UsageError('modelplane replay: --live N needs --route R');
  const policy = loadConfigWithoutSecrets(policyFile, io.env);
  const current = config ? loadConfigWithoutSecrets(config, io.env) : undefined;
  const since = sinceFlag('replay', v.since);
  const filter = { ...(since !== undefined ? { since } : {}), ...(route ? { route } : {}) };
  // The ledger is the record of what the gateway settled; request logs are the fallback for a
  // gateway that ran without a data_dir.
  const ledger = logs.length === 0 && config && current ? openLedger('replay', config, current) : undefined;
  // Output tokens on another deployment: measured by the shadow pairs the gateway stored, when any.
  const observations = config && current ? await readOutputObservations(config, current, since) : [];
  const providerOf = (d: string) => (current?.deployments.get(d) ?? policy.deployments.get(d))?.provider.id;
  let report;
  try {
    const source: ReplaySource = ledger ? new LedgerReplaySource(ledger) : new RequestLogSource(logs);
    report = await replay(source, { policy, ...(current ? { current } : {}), filter, ...(observations.length > 0 ? { outputRatio: outputRatios(observations, providerOf) } : {}) });
  } finally {
    ledger?.close();
  }
  let estimate: LiveEstimate | undefined;
  if (live !== undefined && route) {
    const r = policy.routes.get(route);
    if (!r) throw new UsageError(`modelplane replay: --route ${route} is not a route of ${policyFile}`);
    const cases = await capturedCases(io, 'replay', { route, logs, sample: live, ...(config !== undefined ? { config } : {}), ...(since !== undefined ? { since } : {}) });
    estimate = await liveEstimate(cases, r, { ...gatewayArgs(io.env, str(v.url), str(v.key)), priceOf: (d) => policy.deployments.get(d)?.price });
    if (!estimate) throw new Error(`--live: no captured prompts of route ${route} (give the route \`capture:\`, or read a log with logging.log_bodies)`);
  }
  const source = ledger ? 'the spend ledger' : `${logs.length} log file(s)`;
  io.out(json ? JSON.stringify({ ...report, source, ...(estimate ? { live: estimate } : {}) }, null, 2) + '\n' : `source: ${source}\n${formatReplay(report)}${estimate ? formatLive(estimate) : ''}`);
  return 0;
}
