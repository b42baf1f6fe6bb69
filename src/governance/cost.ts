// Prices -> dollars. The ledger's cost of a finished request, and admission's upper bound on what
// a request can cost before it runs (what budgets reserve).

import type { DeploymentSnapshot, Price } from '../config/snapshot.js';
import type { Usage } from '../spec/canonical.js';
import type { UnknownCostRule } from './types.js';

const PER_TOKEN = 1 / 1_000_000;

/**
 * Used when a deployment has no price and a budget says `on_unknown_cost: reserve` (the
 * default). Deliberately high (a frontier model's list price, USD per million tokens), so an
 * unpriced deployment errs toward refusing early rather than overspending.
 */
export const FALLBACK_PRICE: Price = { inputPerMTok: 15, outputPerMTok: 75 };
/** Output tokens reserved when neither the request nor the deployment gives a limit. */
export const FALLBACK_MAX_OUTPUT_TOKENS = 4096;

/** The cost of a finished request. Cached input is billed at the cache price when there is one; reasoning tokens are output. */
export function costOf(price: Price | undefined, usage: Usage | undefined): number | undefined {
  if (!price || !usage) return usage ? undefined : 0;
  const cached = usage.cacheReadTokens ?? 0;
  const written = usage.cacheWriteTokens ?? 0;
  const freshInput = Math.max(0, usage.inputTokens - cached - (price.cacheWritePerMTok !== undefined ? written : 0));
  let usd = freshInput * price.inputPerMTok + usage.outputTokens * price.outputPerMTok;
  usd += cached * (price.cacheReadPerMTok ?? price.inputPerMTok);
  if (price.cacheWritePerMTok !== undefined) usd += written * price.cacheWritePerMTok;
  return usd * PER_TOKEN;
}

export interface CostEstimate {
  /** USD to reserve. */
  usd: number;
  /** Some target had no price, or no output limit was known anywhere. */
  unknown: boolean;
  /** Output tokens assumed. */
  outputTokens: number;
  /** The parts of `usd`: input at the highest input price, and the highest price of one output token. */
  inputUsd: number;
  outputUsdPerToken: number;
}

/**
 * The most a request can cost on any target it may reach: estimated input at the highest input
 * price, plus the output limit at the highest output price. The output limit is the client's
 * max_tokens, else the largest default_max_tokens / output limit among the targets (any of
 * them may answer), else FALLBACK_MAX_OUTPUT_TOKENS (and the estimate counts as unknown).
 */
export function estimateMaxCost(targets: readonly DeploymentSnapshot[], inputTokens: number, maxTokens: number | undefined): CostEstimate {
  let inPrice = 0;
  let outPrice = 0;
  let unknown = false;
  let outputCap = 0;
  for (const d of targets) {
    const p = d.price ?? ((unknown = true), FALLBACK_PRICE);
    if (p.inputPerMTok > inPrice) inPrice = p.inputPerMTok;
    if (p.outputPerMTok > outPrice) outPrice = p.outputPerMTok;
    const cap = d.defaultMaxTokens ?? d.capabilities.maxOutputTokens;
    if (cap === undefined) outputCap = Number.POSITIVE_INFINITY;
    else if (cap > outputCap) outputCap = cap;
  }
  let outputTokens = maxTokens ?? outputCap;
  // No limit anywhere (or no target at all): assume the fallback and call the cost unknown.
  if (maxTokens === undefined && (!Number.isFinite(outputTokens) || outputTokens === 0)) {
    outputTokens = FALLBACK_MAX_OUTPUT_TOKENS;
    unknown = true;
  }
  if (targets.length === 0) {
    unknown = true;
    inPrice = FALLBACK_PRICE.inputPerMTok;
    outPrice = FALLBACK_PRICE.outputPerMTok;
  }
  const inputUsd = inputTokens * inPrice * PER_TOKEN;
  const outputUsdPerToken = outPrice * PER_TOKEN;
  return { usd: inputUsd + outputTokens * outputUsdPerToken, unknown, outputTokens, inputUsd, outputUsdPerToken };
}

/** What `on_unknown_cost` makes of an estimate: the amount to reserve, or a refusal. */
const STRICTNESS: Record<UnknownCostRule, number> = { allow: 0, reserve: 1, refuse: 2 };

/** Several budgets apply to one request; the strictest `on_unknown_cost` among them decides. */
export function strictestRule<T = UnknownCostRule>(items: Iterable<T>, ruleOf: (item: T) => UnknownCostRule = (x) => x as unknown as UnknownCostRule): UnknownCostRule {
  let out: UnknownCostRule = 'allow';
  let any = false;
  for (const item of items) {
    const r = ruleOf(item);
    any = true;
    if (STRICTNESS[r] > STRICTNESS[out]) out = r;
  }
  return any ? out : 'reserve';
}

export function applyUnknownCostRule(est: CostEstimate, rule: UnknownCostRule): { reserve: number } | { refuse: true } {
  if (!est.unknown) return { reserve: est.usd };
  if (rule === 'refuse') return { refuse: true };
  if (rule === 'allow') return { reserve: 0 };
  return { reserve: est.usd };
}
