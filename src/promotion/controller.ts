// Graduated promotion: moves a route's traffic to a candidate through the configured steps,
// judging the guards on live traffic, and rolls back at once when a guard fails significantly.
// Time comes from an injected clock and decisions happen in `tick(now)`, so the whole state
// machine runs deterministically in tests. The traffic split itself is the stage in
// extension.ts; this class only decides the share.
import { compilePromotionBlock, type PromotionSettings } from '../config/compile-substitution.js';
import type { PromotionConfig } from '../config/substitution-schema.js';
import type { Snapshot } from '../config/snapshot.js';
import type { Logger } from '../telemetry/log.js';
import { emptyArm, judgeGuards, recordArm, type ArmStats, type GuardInputs, type GuardResult } from './guards.js';
import type { Arm, PromotionEvent, PromotionState } from './state.js';
import { MemoryPromotionStore, type PromotionStore } from './store.js';

export interface ControllerOptions {
  log: Logger;
  store?: PromotionStore;
  /** Mean shadow similarity of a candidate on a route (from the shadow extension). */
  shadowSimilarity?: (route: string, candidate: string) => { mean: number; n: number } | undefined;
  /** Judged shadow win rate of a candidate on a route. */
  shadowWin?: (route: string, candidate: string) => { rate: number; lo: number; hi: number; n: number } | undefined;
}

interface Live {
  /** Whole promotion: the incumbent's behaviour does not change between steps, and at 100% it serves nothing. */
  incumbent: ArmStats;
  /** This step only. */
  candidate: ArmStats;
  lastHeldReason?: string | undefined;
  lastGuards: GuardResult[];
}

function keyOf(p: PromotionSettings): string {
  return JSON.stringify({ c: p.candidate.id, s: p.steps, i: p.intervalMs, m: p.minSamples, g: p.guards });
}

export class PromotionController {
  private readonly states = new Map<string, PromotionState>();
  private readonly live = new Map<string, Live>();
  private readonly settings = new Map<string, PromotionSettings>();
  private readonly evals = new Map<string, { rate: number; cases: number }>();
  private readonly store: PromotionStore;

  constructor(private readonly opts: ControllerOptions) {
    this.store = opts.store ?? new MemoryPromotionStore();
    for (const s of this.store.load()) this.states.set(s.route, s);
  }

  /** Starts, keeps or retires promotions to match a snapshot's config. */
  sync(snapshot: Snapshot, now: number): void {
    this.settings.clear();
    for (const r of snapshot.routes.values()) {
      const p = r.promotion;
      if (!p) continue;
      this.settings.set(r.name, p);
      const key = keyOf(p);
      const old = this.states.get(r.name);
      if (old && old.configKey === key) {
        if (!this.live.has(r.name)) {
          this.live.set(r.name, { incumbent: old.incumbent ?? emptyArm(), candidate: emptyArm(), lastGuards: [] });
          if (old.status === 'running' || old.status === 'paused') this.event(old, now, 'resumed_after_restart', `at step ${old.step + 1} (${old.share}%)`);
        }
        continue;
      }
      const s: PromotionState = { route: r.name, candidate: p.candidate.id, configKey: key, status: 'running', step: 0, share: p.steps[0]!, steps: p.steps, startedAt: now, stepStartedAt: now, history: [] };
      this.states.set(r.name, s);
      this.live.set(r.name, { incumbent: emptyArm(), candidate: emptyArm(), lastGuards: [] });
      this.event(s, now, 'started', `${p.steps.join(', ')}% every ${p.intervalMs} ms`);
    }
    // Promotions started through the admin API, for routes whose config declares none: their
    // block is compiled against each snapshot (the candidate must still exist).
    for (const s of this.states.values()) {
      const route = snapshot.routes.get(s.route);
      if (!s.started || !route || route.promotion) continue;
      // Promoted and committed (the route now serves the candidate alone): nothing left to steer.
      if (s.status === 'promoted' && route.targets.length === 1 && route.targets[0]!.id === s.candidate) continue;
      const p = compilePromotionBlock(`routes.${s.route}.promotion`, s.started, snapshot.deployments, []);
      if (!p) continue;
      this.settings.set(s.route, p);
      if (!this.live.has(s.route)) {
        this.live.set(s.route, { incumbent: s.incumbent ?? emptyArm(), candidate: emptyArm(), lastGuards: [] });
        if (s.status === 'running' || s.status === 'paused') this.event(s, now, 'resumed_after_restart', `at step ${s.step + 1} (${s.share}%)`);
      }
    }
  }

  /**
   * Starts a promotion without a config change (`POST /admin/promotions/start`). One per route at
   * a time; a route whose config has a `promotion:` block is steered by that block alone.
   */
  start(snapshot: Snapshot, routeName: string, block: PromotionConfig, now: number): PromotionState {
    const route = snapshot.routes.get(routeName);
    if (!route) throw new PromotionError(`unknown route "${routeName}"`);
    if (route.promotion) throw new PromotionError(`route ${routeName} has a promotion: block in its config; change that block instead`);
    const old = this.states.get(routeName);
    if (old && this.settings.has(routeName) && (old.status === 'running' || old.status === 'paused')) {
      throw new PromotionError(`route ${routeName} already has a ${old.status} promotion (of ${old.candidate}); one per route at a time: abort it first`);
    }
    const problems: string[] = [];
    const p = compilePromotionBlock(`routes.${routeName}.promotion`, block, snapshot.deployments, problems);
    if (!p || problems.length > 0) throw new PromotionError(problems.join('; ') || 'invalid promotion');
    if (!route.targets.some((t) => t.id !== p.candidate.id)) throw new PromotionError(`route ${routeName} has no incumbent besides ${p.candidate.id} to compare it with`);
    const s: PromotionState = { route: routeName, candidate: p.candidate.id, configKey: `api:${keyOf(p)}`, status: 'running', step: 0, share: p.steps[0]!, steps: p.steps, startedAt: now, stepStartedAt: now, history: [], started: block };
    this.states.set(routeName, s);
    this.settings.set(routeName, p);
    this.live.set(routeName, { incumbent: emptyArm(), candidate: emptyArm(), lastGuards: [] });
    this.event(s, now, 'started', `${p.steps.join(', ')}% every ${p.intervalMs} ms (through the admin API)`);
    return s;
  }

  /** The promotion steering a route now (from its config or the admin API), if any. */
  settingsFor(route: string): PromotionSettings | undefined {
    return this.settings.get(route);
  }

  /** Percent of the route's traffic for the candidate (0 without an active promotion). */
  share(route: string): number {
    const s = this.states.get(route);
    if (!s || !this.settings.has(route)) return 0;
    return s.status === 'rolled_back' || s.status === 'aborted' ? 0 : s.share;
  }

  candidateOf(route: string): PromotionSettings['candidate'] | undefined {
    return this.settings.get(route)?.candidate;
  }

  record(route: string, arm: Arm, error: boolean, latencyMs: number | undefined): void {
    const l = this.live.get(route);
    if (l) recordArm(arm === 'candidate' ? l.candidate : l.incumbent, error, latencyMs);
  }

  recordEval(route: string, deployment: string, rate: number, cases: number): void {
    this.evals.set(`${route}\u0000${deployment}`, { rate, cases });
  }

  tick(now: number): void {
    for (const [route, p] of this.settings) {
      const s = this.states.get(route);
      const l = this.live.get(route);
      if (!s || !l || s.status !== 'running') continue;
      const inputs: GuardInputs = { incumbent: l.incumbent, candidate: l.candidate };
      const evalPass = this.evals.get(`${route}\u0000${s.candidate}`);
      if (evalPass) inputs.evalPass = evalPass;
      const sim = this.opts.shadowSimilarity?.(route, s.candidate);
      if (sim) inputs.shadow = sim;
      const win = this.opts.shadowWin?.(route, s.candidate);
      if (win) inputs.win = win;
      const guards = judgeGuards(p.guards, p.minSamples, inputs);
      l.lastGuards = guards;
      const failed = guards.find((g) => g.verdict === 'fail');
      if (failed) {
        s.status = 'rolled_back';
        s.reason = `${failed.guard}: ${failed.detail}`;
        this.event(s, now, 'rolled_back', s.reason);
        continue;
      }
      if (now - s.stepStartedAt < p.intervalMs) continue;
      const open = guards.filter((g) => g.verdict === 'inconclusive');
      // Traffic that never reached the candidate proves nothing either.
      if (l.candidate.requests < p.minSamples) open.push({ guard: 'error_rate', verdict: 'inconclusive', detail: `the candidate has ${l.candidate.requests} of ${p.minSamples} requests this step` });
      if (open.length > 0) {
        const reason = open.map((g) => `${g.guard}: ${g.detail}`).join('; ');
        if (reason !== l.lastHeldReason) this.event(s, now, 'held', reason);
        l.lastHeldReason = reason;
        continue;
      }
      l.lastHeldReason = undefined;
      if (s.step + 1 >= s.steps.length) {
        s.status = 'promoted';
        s.share = 100;
        this.event(s, now, 'promoted', guards.map((g) => `${g.guard}: ${g.detail}`).join('; ') || 'no guards configured');
        continue;
      }
      s.step++;
      s.share = s.steps[s.step]!;
      s.stepStartedAt = now;
      l.candidate = emptyArm();
      this.event(s, now, 'step', guards.map((g) => `${g.guard}: ${g.detail}`).join('; ') || 'interval elapsed');
    }
  }

  pause(route: string, now: number): PromotionState {
    const s = this.require(route, ['running']);
    s.status = 'paused';
    this.event(s, now, 'paused');
    return s;
  }

  resume(route: string, now: number): PromotionState {
    const s = this.require(route, ['paused']);
    s.status = 'running';
    s.stepStartedAt = now;
    this.event(s, now, 'resumed');
    return s;
  }

  abort(route: string, now: number, reason = 'aborted by an operator'): PromotionState {
    const s = this.require(route, ['running', 'paused']);
    s.status = 'aborted';
    s.reason = reason;
    this.event(s, now, 'aborted', reason);
    return s;
  }

  get(route: string): PromotionState | undefined {
    return this.states.get(route);
  }

  view(): unknown[] {
    return [...this.settings.keys()].map((route) => {
      const s = this.states.get(route)!;
      const l = this.live.get(route);
      const cfg = s.status === 'promoted' ? `routes.${route}: set targets: [${s.candidate}]${s.started ? '' : ' and remove promotion:'}` : undefined;
      return {
        route,
        candidate: s.candidate,
        origin: s.started ? 'admin-api' : 'config',
        status: s.status,
        step: s.step + 1,
        steps: s.steps,
        share: this.share(route),
        reason: s.reason,
        started_at: new Date(s.startedAt).toISOString(),
        step_started_at: new Date(s.stepStartedAt).toISOString(),
        arms: l ? { incumbent: { requests: l.incumbent.requests, errors: l.incumbent.errors }, candidate: { requests: l.candidate.requests, errors: l.candidate.errors } } : undefined,
        guards: l?.lastGuards ?? [],
        config_change: cfg,
        history: s.history.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
      };
    });
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private require(route: string, allowed: PromotionState['status'][]): PromotionState {
    const s = this.states.get(route);
    if (!s || !this.settings.has(route)) throw new PromotionError(`route ${route} has no promotion configured`);
    if (!allowed.includes(s.status)) throw new PromotionError(`the promotion of route ${route} is ${s.status}`);
    return s;
  }

  private event(s: PromotionState, at: number, event: PromotionEvent['event'], reason?: string): void {
    const e: PromotionEvent = { at, event, step: s.step + 1, share: s.status === 'rolled_back' || s.status === 'aborted' ? 0 : s.share };
    if (reason !== undefined) e.reason = reason;
    s.history.push(e);
    const l = this.live.get(s.route);
    if (l) s.incumbent = l.incumbent;
    if (s.history.length > 200) s.history.splice(0, s.history.length - 200);
    this.store.save(s);
    // The audit log: one line per decision.
    this.opts.log.info({ promotion: true, route: s.route, candidate: s.candidate, event, step: e.step, share: e.share, reason }, 'promotion');
  }
}

export class PromotionError extends Error {}
