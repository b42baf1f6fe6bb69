import type { StrategyName } from '../../config/snapshot.js';
import { cost } from './cost.js';
import { leastBusy } from './least-busy.js';
import { leastLatency } from './least-latency.js';
import { ordered } from './ordered.js';
import type { Strategy } from './types.js';
import { weighted } from './weighted.js';

export type { Strategy, StrategyContext } from './types.js';
export { estimatedCost } from './cost.js';
export { latencyScore } from './least-latency.js';

const STRATEGIES: Record<StrategyName, Strategy> = {
  ordered,
  weighted,
  'least-latency': leastLatency,
  cost,
  'least-busy': leastBusy,
};

export function strategyFor(name: StrategyName): Strategy {
  const s = STRATEGIES[name];
  if (s === undefined) throw new Error(`unknown routing strategy: ${String(name)}`);
  return s;
}
