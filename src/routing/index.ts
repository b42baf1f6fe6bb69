// Public surface of routing/: what gateway/ and the admin API import.
export { estimateInputTokens, requestNeeds, embeddingNeeds, type RequestNeeds } from './estimate.js';
export { eligible, requiredWindow, type Eligibility, type IneligibleKind } from './constraints.js';
export { selectPlan, type HeaderMap, type PlanSelection } from './classifier.js';
export { DeploymentStats, type DeploymentStatsView, type DeploymentStatsOptions } from './stats.js';
export { HealthRegistry, type AttemptRef, type HealthEntry, type HealthChange, type HealthLevel, type HealthOptions } from './health.js';
export { DEFAULT_BREAKER_POLICY, type BreakerPolicy, type BreakerState } from './breaker.js';
export { backoffMs, retryDelay, shouldFallBack, canRetrySameTarget, fitsDeadline, type Rng } from './retry.js';
export { strategyFor, estimatedCost, latencyScore, type Strategy, type StrategyContext } from './strategies/index.js';
export { planAttempts, type Plan, type PlanInput, type PlanDeps, type Attempt, type AttemptKind } from './planner.js';
export { reportSuccess, reportFailure, reportCancelled, type RoutingState } from './report.js';
