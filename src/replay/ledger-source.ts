// Replay over the spend ledger (issue 9's store): the record of every request the gateway
// settled, with route, class, attribution, tokens and the price it was charged. Read through
// the LedgerStore's public `records` (oldest first, from a time); shadow rows are the operator's
// experiments, not traffic, and non-routed rows (no route) cannot be re-planned: both are left out.
import type { LedgerRecord, LedgerStore } from '../store/ledger-store.js';
import { SHADOW_ENDPOINTS } from '../store/ledger-store.js';
import type { ReplayFilter, ReplayRecord, ReplaySource } from './source.js';

const SHADOW = new Set<string>(SHADOW_ENDPOINTS);

export function recordFromLedger(l: LedgerRecord): ReplayRecord | undefined {
  if (l.route === undefined || (l.endpoint !== undefined && SHADOW.has(l.endpoint))) return undefined;
  const r: ReplayRecord = { at: l.ts, requestId: l.requestId, route: l.route, status: l.status, tokensIn: l.inputTokens, tokensOut: l.outputTokens, costUsd: l.costUsd };
  if (l.cachedTokens > 0) r.tokensCacheRead = l.cachedTokens;
  if (l.requestClass !== undefined) r.className = l.requestClass;
  if (l.deployment !== undefined) r.deployment = l.deployment;
  if (l.cache !== undefined) r.cache = l.cache;
  if (l.team !== undefined) r.team = l.team;
  if (l.customer !== undefined) r.customer = l.customer;
  return r;
}

export class LedgerReplaySource implements ReplaySource {
  constructor(private readonly store: Pick<LedgerStore, 'records'>) {}

  async *records(filter: ReplayFilter): AsyncIterable<ReplayRecord> {
    for (const l of this.store.records(filter.since !== undefined ? { sinceMs: filter.since } : {})) {
      const r = recordFromLedger(l);
      if (!r || (filter.route !== undefined && r.route !== filter.route)) continue;
      yield r;
    }
  }
}
