// What cost replay reads: one record per served request, with the route, class, attribution and
// tokens. An interface, because the spend ledger (issue 9, src/governance/ledger*) is the real
// source; until it lands, `RequestLogSource` reads the gateway's JSON request lines.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface ReplayRecord {
  /** Epoch ms. */
  at: number;
  requestId?: string;
  route: string;
  className?: string;
  /** The deployment that answered. */
  deployment?: string;
  status: number;
  tokensIn: number;
  tokensOut: number;
  tokensCacheRead?: number;
  /** What it cost, when the gateway priced it (the ledger sets `cost_usd`). */
  costUsd?: number;
  /** Cache outcome (`hit`: no upstream call was made). */
  cache?: string;
  team?: string;
  customer?: string;
  /** Shadow mirrors are the operator's spend, not traffic: sources leave them out. */
}

export interface ReplayFilter {
  /** Epoch ms: records at or after. */
  since?: number;
  route?: string;
}

export interface ReplaySource {
  records(filter: ReplayFilter): AsyncIterable<ReplayRecord>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** One request line (src/telemetry/request-line.ts) -> a record; undefined for other lines. */
export function recordFromLine(line: Record<string, unknown>): ReplayRecord | undefined {
  if (line.msg !== 'request') return undefined;
  const route = str(line.route);
  const at = num(line.time);
  const status = num(line.status);
  if (route === undefined || at === undefined || status === undefined) return undefined;
  const r: ReplayRecord = { at, route, status, tokensIn: num(line.tokens_in) ?? 0, tokensOut: num(line.tokens_out) ?? 0 };
  const set = <K extends keyof ReplayRecord>(k: K, v: ReplayRecord[K] | undefined) => {
    if (v !== undefined) r[k] = v;
  };
  set('requestId', str(line.request_id));
  set('className', str(line.class));
  set('deployment', str(line.deployment));
  set('tokensCacheRead', num(line.tokens_cache_read));
  set('costUsd', num(line.cost_usd));
  set('cache', str(line.cache));
  set('team', str(line.team));
  set('customer', str(line.customer));
  return r;
}

/** The gateway's JSON log files (one object per line; other lines and garbage are skipped). */
export class RequestLogSource implements ReplaySource {
  constructor(private readonly files: readonly string[]) {}

  async *records(filter: ReplayFilter): AsyncIterable<ReplayRecord> {
    for (const file of this.files) {
      const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
      for await (const text of rl) {
        if (!text.startsWith('{')) continue;
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text) as Record<string, unknown>;
        } catch {
          continue;
        }
        const r = recordFromLine(line);
        if (!r) continue;
        if (filter.since !== undefined && r.at < filter.since) continue;
        if (filter.route !== undefined && r.route !== filter.route) continue;
        yield r;
      }
    }
  }
}

/** Records held in memory (tests, and a ledger query already materialised). */
export class ArraySource implements ReplaySource {
  constructor(private readonly rows: readonly ReplayRecord[]) {}
  async *records(filter: ReplayFilter): AsyncIterable<ReplayRecord> {
    for (const r of this.rows) {
      if (filter.since !== undefined && r.at < filter.since) continue;
      if (filter.route !== undefined && r.route !== filter.route) continue;
      yield r;
    }
  }
}
