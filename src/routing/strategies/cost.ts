// Cheapest first, priced for this request: estimated input tokens plus the expected output.
// Outputs rarely reach max_tokens, so the expected output is min(max_tokens, 500) (500 without
// one): enough to weigh output prices, which differ from input prices by 3-5x, without letting a
// generous max_tokens dominate. Deployments without a price go last, in config order.

import type { DeploymentSnapshot } from '../../config/snapshot.js';
import type { RequestNeeds } from '../estimate.js';
import { orderBy, type Strategy } from './types.js';

const EXPECTED_OUTPUT_TOKENS = 500;

/** Estimated USD for this request on `dep`, or undefined when the deployment has no price. */
export function estimatedCost(dep: DeploymentSnapshot, needs: RequestNeeds): number | undefined {
  const price = dep.price;
  if (price === undefined) return undefined;
  const output = Math.min(needs.maxOutputTokens ?? EXPECTED_OUTPUT_TOKENS, EXPECTED_OUTPUT_TOKENS);
  return (needs.estimatedInputTokens * price.inputPerMTok + output * price.outputPerMTok) / 1e6;
}

export const cost: Strategy = {
  name: 'cost',
  order(targets, _weights, ctx) {
    return orderBy(targets, (i) => estimatedCost(targets[i]!, ctx.needs) ?? Infinity);
  },
};
