// Shadow spend as spend-ledger rows. A mirror (and its judging call) costs real money, so it is
// recorded in the ledger beside the traffic, attributed to the caller whose request was mirrored
// (who caused the spend) but marked with its own endpoint, `shadow` or `shadow-judge`: the
// ledger's budget totals leave those rows out (they are the operator's experiment, capped by the
// route's `shadow.budget`, never a charge on the caller's budget), and replay leaves them out of
// "traffic".
import { SHADOW_ENDPOINTS, type LedgerRecord } from '../store/ledger-store.js';
import type { ShadowSpend } from './extension.js';

export { SHADOW_ENDPOINTS };

/** The status a failed mirror is recorded with (the client never saw it: it only marks a failure). */
const FAILED = 502;

export function shadowLedgerRecord(s: ShadowSpend): LedgerRecord {
  const r: LedgerRecord = {
    ts: s.at,
    requestId: s.requestId,
    route: s.route,
    deployment: s.deployment,
    inputTokens: s.tokensIn ?? 0,
    outputTokens: s.tokensOut ?? 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    costUsd: s.costUsd ?? 0,
    status: s.error === undefined ? 200 : FAILED,
    attempts: 1,
    latencyMs: Math.round(s.latencyMs ?? 0),
    endpoint: s.kind,
  };
  if (s.provider !== undefined) r.provider = s.provider;
  if (s.model !== undefined) r.model = s.model;
  if (s.error !== undefined) r.errorCode = s.error;
  if (s.keyId !== undefined) r.keyId = s.keyId;
  if (s.team !== undefined) r.team = s.team;
  if (s.customer !== undefined) r.customer = s.customer;
  if (s.agent !== undefined) r.agent = s.agent;
  return r;
}
