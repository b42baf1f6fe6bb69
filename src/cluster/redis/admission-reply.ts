// Reading the admission script's reply: per limit {reqUsed, reqReset, tokUsed, tokReset}
// (-1 for a window the limit does not have) into the most constrained figures for the headers,
// the same shape RateLimiter.report gives in embedded mode.

import type { LimitReport, LimitState } from '../../governance/rate-limit.js';

/** A lease that expired unsettled (its instance died): charged its estimate, kept for the ledger. */
export interface Unsettled {
  id: string;
  /** USD reserved, now charged. */
  amt: number;
  /** The budget keys it was charged to (prefix stripped of nothing: as the script wrote them). */
  b: string[];
  /** JSON of the attribution the admission carried ('' when none). */
  meta: string;
}

export function parseReport(limits: readonly LimitState[], reply: readonly unknown[], from: number): LimitReport {
  const out: LimitReport = {};
  limits.forEach((s, k) => {
    const at = from + k * 4;
    const ru = Number(reply[at]);
    const rr = Number(reply[at + 1]);
    const tu = Number(reply[at + 2]);
    const tr = Number(reply[at + 3]);
    if (s.rpm !== undefined && ru >= 0) {
      const remaining = Math.max(0, s.rpm - ru);
      if (!out.requests || remaining < out.requests.remaining) out.requests = { limit: s.rpm, remaining, resetMs: rr };
    }
    if (s.tpm !== undefined && tu >= 0) {
      const remaining = Math.max(0, s.tpm - tu);
      if (!out.tokens || remaining < out.tokens.remaining) out.tokens = { limit: s.tpm, remaining, resetMs: tr };
    }
  });
  return out;
}
