// `modelplane router savings`: what auto routes cost against the same traffic all on their
// strongest tier, by route and team, from the ledger joined with the router's recorded decisions
// (or from request log lines, `--log FILE`), with the router's estimate of the quality given up
// and the callers' measured feedback per tier (src/routing/auto/savings.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSince } from '../governance/since.js';
import { ROUTER_DB_FILE, SqliteRouterStore, type Decision, type Label } from '../routing/auto/router-store.js';
import { savings, type SavingsRow, type ServedRequest } from '../routing/auto/savings.js';
import type { Snapshot } from '../config/snapshot.js';
import { UsageError, type CommandSpec, type FlagValues } from './args.js';
import { render } from './output.js';
import { openTenantContext } from './tenant-stores.js';

export const SAVINGS: CommandSpec = {
  name: 'router savings',
  summary: 'What auto routes cost against the same requests all on their strongest tier, by route and team, with quality estimates.',
  usage: '--config FILE [--since 7d] [--route R] [--log FILE] [--format table|json]',
  flags: {
    config: { type: 'string', short: 'c', value: 'FILE', description: 'the gateway config (its routes, prices and storage.data_dir)' },
    since: { type: 'string', value: 'DURATION', description: 'how far back: 30m, 24h, 7d, 2w or an ISO date-time (default 7d)' },
    route: { type: 'string', value: 'R', description: 'one route only' },
    log: { type: 'string', value: 'FILE', description: 'read request log lines (JSON) instead of the ledger' },
    format: { type: 'string', value: 'table|json', description: 'output format (default table)' },
  },
  notes: ['The all-strong cost prices each request\'s own tokens at the strongest tier\'s first deployment: an estimate.'],
};

/** The router store beside the ledger, when the gateway has written one. */
export function openRouterStore(config: string): SqliteRouterStore | undefined {
  const ctx = openTenantContext(config);
  const file = join(ctx.dataDir, ROUTER_DB_FILE);
  void ctx.close();
  return existsSync(file) ? new SqliteRouterStore(file) : undefined;
}

const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
const strOf = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);

/** Request lines (`msg: "request"`) of auto routes, since `sinceMs`. */
function fromLog(file: string, sinceMs: number, route: string | undefined): ServedRequest[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`modelplane router savings: cannot read --log ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const out: ServedRequest[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"request"')) continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // not every line of a log is ours
    }
    if (o.msg !== 'request' || typeof o.route !== 'string' || (route !== undefined && o.route !== route) || num(o.time) < sinceMs) continue;
    const r: ServedRequest = { requestId: strOf(o.request_id) ?? '', route: o.route, inputTokens: num(o.tokens_in), outputTokens: num(o.tokens_out), cachedTokens: num(o.tokens_cache_read), costUsd: num(o.cost_usd), status: num(o.status) };
    for (const [k, f] of [['team', 'team'], ['deployment', 'deployment'], ['tier', 'tier'], ['cache', 'cache']] as const) {
      const v = strOf(o[f]);
      if (v !== undefined) r[k] = v;
    }
    if (typeof o.router_score === 'number') r.score = o.router_score;
    out.push(r);
  }
  return out;
}

function* fromLedger(ctx: ReturnType<typeof openTenantContext>, decisions: Map<string, Decision>, sinceMs: number, route: string | undefined, snapshot: Snapshot): Iterable<ServedRequest> {
  for (const rec of ctx.ledger().records({ sinceMs })) {
    if (rec.route === undefined || (route !== undefined && rec.route !== route) || snapshot.routes.get(rec.route)?.auto === undefined) continue;
    const d = decisions.get(rec.requestId);
    const r: ServedRequest = { requestId: rec.requestId, route: rec.route, inputTokens: rec.inputTokens, outputTokens: rec.outputTokens, cachedTokens: rec.cachedTokens, costUsd: rec.costUsd, status: rec.status };
    if (rec.team !== undefined) r.team = rec.team;
    if (rec.deployment !== undefined) r.deployment = rec.deployment;
    if (rec.cache !== undefined) r.cache = rec.cache;
    if (d !== undefined) {
      r.tier = d.tier;
      if (d.score !== undefined) r.score = d.score;
      if (d.cascadeUsd !== undefined) r.cascadeUsd = d.cascadeUsd;
    }
    yield r;
  }
}

const usd = (x: number) => x.toFixed(4);
const pctOf = (x: number) => `${(x * 100).toFixed(1)}%`;
const fb = (f: SavingsRow['feedbackCheap']) => (f === null ? '-' : `${f.mean.toFixed(2)} (n=${f.n})`);

export function runSavings(v: FlagValues): number {
  const config = typeof v.config === 'string' ? v.config : undefined;
  if (config === undefined) throw new UsageError('modelplane router savings: --config FILE is required (the gateway\'s: its routes, prices and storage.data_dir)');
  const format = typeof v.format === 'string' ? v.format : 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError('modelplane router savings: --format must be table or json');
  let sinceMs: number;
  try {
    sinceMs = parseSince(typeof v.since === 'string' ? v.since : '7d', Date.now());
  } catch (e) {
    throw new UsageError(`modelplane router savings: --since: ${(e as Error).message}`);
  }
  const route = typeof v.route === 'string' ? v.route : undefined;
  const ctx = openTenantContext(config);
  const snapshot = ctx.snapshot;
  if (route !== undefined && snapshot.routes.get(route)?.auto === undefined) throw new UsageError(`modelplane router savings: --route ${route} is not a strategy: auto route of ${config}`);
  const file = join(ctx.dataDir, ROUTER_DB_FILE);
  const store = existsSync(file) ? new SqliteRouterStore(file) : undefined;
  try {
    const decisions = new Map<string, Decision>();
    let labels: Label[] = [];
    if (store) {
      for (const d of store.decisions(sinceMs, route)) decisions.set(d.requestId, d);
      labels = store.labels(sinceMs);
    }
    const served = typeof v.log === 'string' ? fromLog(v.log, sinceMs, route) : fromLedger(ctx, decisions, sinceMs, route, snapshot);
    const rep = savings(served, snapshot, labels);
    if (format === 'json') {
      process.stdout.write(JSON.stringify({ since: new Date(sinceMs).toISOString(), rows: rep.rows, total: rep.total, unknown_tier: rep.unknownTier }) + '\n');
      return 0;
    }
    const rows = [...rep.rows, rep.total].map((r) => ({
      route: r.route,
      team: r.team ?? '',
      requests: r.requests,
      strong_share: pctOf(r.strongShare),
      cost_usd: usd(r.costUsd),
      all_strong_usd: usd(r.allStrongUsd),
      saved_usd: usd(r.savedUsd),
      saved: pctOf(r.savedShare),
      est_worse: pctOf(r.estWorseShare),
      feedback_cheap: fb(r.feedbackCheap),
      feedback_strong: fb(r.feedbackStrong),
    }));
    process.stdout.write(render('table', rows, ['route', 'team', 'requests', 'strong_share', 'cost_usd', 'all_strong_usd', 'saved_usd', 'saved', 'est_worse', 'feedback_cheap', 'feedback_strong']));
    process.stdout.write(`\nsince ${new Date(sinceMs).toISOString()}; all-strong prices each request's tokens at the strongest tier; est_worse: the router's estimate of the share the strongest tier would have answered better${rep.unknownTier ? `; ${rep.unknownTier} request(s) of unknown tier counted as strong` : ''}\n`);
    return 0;
  } finally {
    store?.close();
    void ctx.close();
  }
}
