// The strategy contract: order a route's eligible targets, best first. Strategies only order;
// health filtering, credentials, retries and attempt limits are the planner's job, so each
// strategy stays a few lines of pure code over (targets, weights, stats, needs, rng).

import type { DeploymentSnapshot } from '../../config/snapshot.js';
import type { RequestNeeds } from '../estimate.js';
import type { DeploymentStats } from '../stats.js';

export interface StrategyContext {
  stats: DeploymentStats;
  needs: RequestNeeds;
  /** Uniform in [0, 1); injected so tests are deterministic. */
  rng: () => number;
  now: number;
}

export interface Strategy {
  readonly name: string;
  /**
   * Returns a new array with the same targets, best first. `weights[i]` belongs to
   * `targets[i]`. Must not mutate its inputs.
   */
  order(targets: readonly DeploymentSnapshot[], weights: readonly number[], ctx: StrategyContext): DeploymentSnapshot[];
}

/** Indices 0..n-1 sorted by `key` ascending, ties kept in index (config) order. */
export function sortIndices(n: number, key: (i: number) => number): number[] {
  const keys = new Float64Array(n);
  const idx: number[] = [];
  for (let i = 0; i < n; i++) {
    keys[i] = key(i);
    idx.push(i);
  }
  idx.sort((a, b) => keys[a]! - keys[b]! || a - b);
  return idx;
}

/** `targets` sorted by `key` ascending, ties kept in config order. */
export function orderBy(targets: readonly DeploymentSnapshot[], key: (i: number) => number): DeploymentSnapshot[] {
  return sortIndices(targets.length, key).map((i) => targets[i]!);
}
