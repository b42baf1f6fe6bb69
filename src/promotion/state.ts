// What a promotion is at any moment: the step it is on, its status, and the audit trail of every
// decision. Plain data, so it persists as JSON and shows as-is in the admin API.
import type { PromotionConfig } from '../config/substitution-schema.js';
import type { ArmStats } from './guards.js';

export type PromotionStatus = 'running' | 'paused' | 'promoted' | 'rolled_back' | 'aborted';

export interface PromotionEvent {
  at: number;
  event: 'started' | 'resumed_after_restart' | 'step' | 'held' | 'promoted' | 'rolled_back' | 'paused' | 'resumed' | 'aborted';
  step: number;
  share: number;
  reason?: string;
}

export interface PromotionState {
  route: string;
  candidate: string;
  /** The promotion's settings as configured; a change starts a new promotion. */
  configKey: string;
  status: PromotionStatus;
  /** Index into the steps. */
  step: number;
  /** Percent of the route's traffic sent to the candidate now. */
  share: number;
  steps: number[];
  startedAt: number;
  stepStartedAt: number;
  reason?: string;
  history: PromotionEvent[];
  /**
   * Set for a promotion started through the admin API (`modelplane promote start`): its block,
   * as a config's `promotion:` would say it, kept so it survives a restart without the config
   * file ever being edited. Absent for a promotion the config declares.
   */
  started?: PromotionConfig;
  /**
   * The incumbent arm's samples as of the last decision: kept so a restart late in a promotion
   * (at 100% the incumbent serves nothing and could never gather them again) can still judge.
   */
  incumbent?: ArmStats;
}

/** The arms a request can be sent down. */
export type Arm = 'incumbent' | 'candidate';
