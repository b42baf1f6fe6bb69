// What a promotion is at any moment: the step it is on, its status, and the audit trail of every
// decision. Plain data, so it persists as JSON and shows as-is in the admin API.

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
}

/** The arms a request can be sent down. */
export type Arm = 'incumbent' | 'candidate';
