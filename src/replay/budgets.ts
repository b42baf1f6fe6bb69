// What the candidate policy's budgets would have done to the replayed traffic: each priced record
// is charged, in time order, to its team's budget and to the global budget of the policy, per
// budget period (the same UTC calendar windows the gateway uses, src/governance/periods.ts). A
// record that would take an enforced budget past its limit is counted as refused (and charged
// nothing, as the gateway would); a budget with `enforce: false` only counts would-be refusals.
// Keys, customers and agents are not modelled: a ledger row names its key, but a candidate
// policy's keys rarely match the ones that sent the traffic.
import type { Snapshot } from '../config/snapshot.js';
import { periodWindow } from '../governance/periods.js';
import type { BudgetSpec } from '../governance/types.js';

export interface BudgetOutcome {
  budget: string;
  limitUsd: number;
  period: string;
  enforce: boolean;
  /** Requests the budget would have refused (or, with enforce: false, flagged). */
  refused: number;
  /** The most any one period would have spent under this budget. */
  peakUsd: number;
}

export class ReplayBudgets {
  private readonly specs = new Map<string, BudgetSpec>();
  private readonly spent = new Map<string, number>();
  private readonly outcomes = new Map<string, BudgetOutcome>();

  constructor(policy: Snapshot) {
    const t = policy.tenants;
    if (t.globalBudget) this.specs.set('global', t.globalBudget);
    for (const [name, team] of t.teams) if (team.budget) this.specs.set(`team:${name}`, team.budget);
    for (const [id, spec] of this.specs) this.outcomes.set(id, { budget: id, limitUsd: spec.usd, period: spec.period, enforce: spec.enforce, refused: 0, peakUsd: 0 });
  }

  get empty(): boolean {
    return this.specs.size === 0;
  }

  /** Charges one replayed request; false when an enforced budget would have refused it. */
  charge(at: number, team: string | undefined, usd: number): boolean {
    const ids = ['global', ...(team !== undefined ? [`team:${team}`] : [])].filter((id) => this.specs.has(id));
    const keys = ids.map((id) => `${id}\u0000${periodWindow(this.specs.get(id)!.period, at).start}`);
    let refused = false;
    ids.forEach((id, i) => {
      const spec = this.specs.get(id)!;
      if ((this.spent.get(keys[i]!) ?? 0) + usd > spec.usd) {
        this.outcomes.get(id)!.refused++;
        if (spec.enforce) refused = true;
      }
    });
    if (refused) return false;
    ids.forEach((id, i) => {
      const total = (this.spent.get(keys[i]!) ?? 0) + usd;
      this.spent.set(keys[i]!, total);
      const o = this.outcomes.get(id)!;
      o.peakUsd = Math.max(o.peakUsd, total);
    });
    return true;
  }

  report(): BudgetOutcome[] {
    return [...this.outcomes.values()];
  }
}
