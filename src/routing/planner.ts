// The planner turns (route, request, health, stats) into attempts, lazily: the attempt loop asks
// `next(now, failure)` after each failure, so every decision sees the health state the previous
// attempt just reported (a 429 cools its key before the next attempt picks one).
//
// Per request: select the plan (request classes), drop deployments that cannot serve the
// request (capabilities, context window), order the rest with the plan's strategy. Per attempt:
//   after a credential error   another key of the same deployment (no delay)
//   after a retryable error    the same deployment again, up to attemptsPerDeployment, after
//                              backoff or the provider's retry-after, if it fits the deadline
//   otherwise                  the next deployment in order whose provider, deployment and some
//                              credential are available; after a provider-scope error other
//                              deployments of that provider go to the back of the line
// maxAttempts bounds the total and deadlineMs the wall time.
//
// Everything down: when no target is available for the FIRST attempt only because breakers are
// open, the least recently failed target is probed early (it goes half-open before its cooldown
// ends), one request at a time across the plan's targets, instead of failing at once. Breakers
// exist to shed load from a sick upstream, and one probe in flight keeps that; but when every
// target is open, the cooldown is pure outage on top of the upstream's, and the probe ends it as
// soon as the upstream is back. Hard cooldowns (429 retry-after, exhausted quota, refused key)
// are never probed: the provider has told us the answer. With no probe possible the planner
// throws no_healthy_deployment naming every reason, with a retry-after of the earliest reopening
// (about a second when a trial is out: its answer may reopen the route).

import type { CredentialSnapshot, DeploymentSnapshot, RouteSnapshot, RoutingPolicy } from '../config/snapshot.js';
import type { CanonicalRequest, EmbeddingRequest } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import { selectPlan, type HeaderMap } from './classifier.js';
import { eligible, type Eligibility } from './constraints.js';
import { embeddingNeeds, requestNeeds, type RequestNeeds } from './estimate.js';
import type { AttemptRef, HealthRegistry } from './health.js';
import { ineligibleError, type Rejection } from './planner-errors.js';
import { canRetrySameTarget, fitsDeadline, retryDelay, shouldFallBack, type Rng } from './retry.js';
import type { DeploymentStats } from './stats.js';
import { strategyFor } from './strategies/index.js';

export interface PlanInput {
  route: RouteSnapshot;
  request: CanonicalRequest | EmbeddingRequest;
  headers?: HeaderMap;
  /** When the request started: the deadline counts from here. */
  now: number;
  rng?: Rng;
  /** Precomputed needs, when the caller already has them. */
  needs?: RequestNeeds;
  /**
   * The caller's policy (allowlist, data-sensitivity tier): a returned reason rules the
   * deployment out before any strategy sees it, so no fallback, hedge or resumption can reach it.
   */
  exclude?: (d: DeploymentSnapshot) => string | undefined;
  /** A policy chosen before planning (the auto router's tier): used instead of the route's classes. */
  policy?: RoutingPolicy;
}

export interface PlanDeps {
  health: HealthRegistry;
  stats: DeploymentStats;
}

export type AttemptKind = 'first' | 'retry' | 'rotate' | 'fallback' | 'hedge' | 'probe';

export interface Attempt {
  deployment: DeploymentSnapshot;
  /** Undefined for deployments without credentials (auth: none). */
  credential: CredentialSnapshot | undefined;
  /** Pass to health.recordSuccess / recordFailure / cancel. */
  ref: AttemptRef;
  /** 0 for the first attempt of the request. */
  index: number;
  /** Wait this long before sending (same-target retries only; 0 otherwise). */
  delayMs: number;
  kind: AttemptKind;
}

export interface Plan {
  className?: string;
  plan: RoutingPolicy;
  needs: RequestNeeds;
  /** Eligible targets in strategy order. */
  order: readonly DeploymentSnapshot[];
  /** Deployments ruled out by constraints, with why (for debug headers and logs). */
  ineligible: ReadonlyArray<{ id: string; reason: string }>;
  startedAt: number;
  /** startedAt + deadlineMs: cap each attempt's timeouts with `deadlineAt - now`. */
  deadlineAt: number;
  /** The first attempt, already admitted by health. */
  first: Attempt;
  /**
   * The next attempt after `failure` of `failed` (default: the latest attempt; pass it when
   * hedging, where the latest may not be the one that failed). Report the failure to health
   * first. Without a failure: a hedge on another deployment. Undefined when the plan is
   * exhausted (attempts, deadline, targets) or the error must not fall back: surface the error.
   */
  next(now: number, failure?: GatewayError, failed?: Attempt): Attempt | undefined;
  /** Attempts handed out so far. */
  readonly attempts: number;
}

export function planAttempts(input: PlanInput, deps: PlanDeps): Plan {
  const req = input.request;
  const isChat = 'messages' in req;
  const needs = input.needs ?? (isChat ? requestNeeds(req) : embeddingNeeds(req));
  const route = input.route;
  // The common case (a route without request classes) allocates no selection object.
  const selection = input.policy !== undefined || route.classes.length === 0 ? undefined : selectPlan(route, { metadata: isChat ? req.metadata : undefined }, input.headers ?? {}, needs);
  const plan = input.policy ?? (selection === undefined ? route : selection.plan);
  const className = selection?.className;
  const where = () => (className === undefined ? `route '${route.name}'` : `route '${route.name}' (class '${className}')`);

  // Ineligible targets are rare: the arrays exist only once one is found.
  let targets: DeploymentSnapshot[] | undefined;
  let weights: number[] | undefined;
  let ineligible: Array<{ id: string; reason: string }> | undefined;
  let rejections: Rejection[] | undefined;
  for (let i = 0; i < plan.targets.length; i++) {
    const dep = plan.targets[i]!;
    const denied = input.exclude?.(dep);
    const e: Eligibility = denied === undefined ? eligible(dep, needs, plan.maxTokensAboveLimit) : { ok: false, kind: 'policy', reason: denied };
    if (e.ok) {
      if (targets !== undefined) {
        targets.push(dep);
        weights!.push(plan.weights[i] ?? dep.weight);
      }
    } else {
      if (targets === undefined) {
        targets = plan.targets.slice(0, i);
        weights = targets.map((d, j) => plan.weights[j] ?? d.weight);
      }
      (ineligible ??= []).push({ id: dep.id, reason: e.reason });
      (rejections ??= []).push({ dep, kind: e.kind, reason: e.reason });
    }
  }
  const usable: readonly DeploymentSnapshot[] = targets ?? plan.targets;
  if (usable.length === 0) throw ineligibleError(where(), plan, needs, rejections ?? []);

  const rng = input.rng ?? Math.random;
  const order =
    usable.length > 1
      ? strategyFor(plan.strategy).order(usable, weights ?? plan.targets.map((d, j) => plan.weights[j] ?? d.weight), { stats: deps.stats, needs, rng, now: input.now })
      : usable;
  const cursor = new PlanCursor(plan, order, needs, deps.health, rng, input.now, ineligible ?? NONE, className);
  if (cursor.first === undefined) throw cursor.noHealthyError(where(), input.now);
  return cursor as Plan;
}

const NONE: ReadonlyArray<{ id: string; reason: string }> = Object.freeze([]);

/** The plan and its cursor in one object (one allocation per request; see Plan). */
class PlanCursor {
  attempts = 0;
  readonly first: Attempt | undefined;
  readonly startedAt: number;
  readonly deadlineAt: number;
  readonly className: string | undefined;
  /** Whether order[i] was tried (a plain array: a typed array costs an ArrayBuffer per request). */
  private readonly tried: boolean[];
  private current = -1;
  private currentCredential: CredentialSnapshot | undefined;
  private triesOnCurrent = 0;
  private badCredentials: Set<string> | undefined;
  private demotedProviders: Set<string> | undefined;
  private minWindow = 0;
  private readonly maxAttempts: number;

  constructor(
    readonly plan: RoutingPolicy,
    readonly order: readonly DeploymentSnapshot[],
    readonly needs: RequestNeeds,
    private readonly health: HealthRegistry,
    private readonly rng: Rng,
    startedAt: number,
    readonly ineligible: ReadonlyArray<{ id: string; reason: string }>,
    className: string | undefined,
  ) {
    this.startedAt = startedAt;
    this.deadlineAt = startedAt + plan.deadlineMs;
    this.className = className;
    this.tried = order.length === 1 ? [false] : new Array<boolean>(order.length).fill(false);
    this.maxAttempts = Math.max(1, plan.retry.maxAttempts);
    this.first = this.next(startedAt);
  }

  next(now: number, failure?: GatewayError, failed?: Attempt): Attempt | undefined {
    if (this.attempts >= this.maxAttempts) return undefined;
    if (!fitsDeadline(this.startedAt, now, 0, this.plan.deadlineMs)) return undefined;
    if (failed !== undefined) {
      const i = this.order.indexOf(failed.deployment);
      if (i >= 0 && i !== this.current) {
        // An older (hedged) attempt failed: how often its deployment was tried is no longer
        // tracked, so it gets no same-target retry, only rotation and fallback.
        this.current = i;
        this.currentCredential = failed.credential;
        this.triesOnCurrent = this.plan.retry.attemptsPerDeployment;
      } else if (i >= 0) {
        this.currentCredential = failed.credential;
      }
    }
    if (failure !== undefined && this.current >= 0) {
      const found = this.afterFailure(now, failure);
      if (found !== null) return found;
    }
    const kind: AttemptKind = this.attempts === 0 ? 'first' : failure !== undefined ? 'fallback' : 'hedge';
    return this.nextDeployment(now, kind) ?? (this.attempts === 0 ? this.probe(now) : undefined);
  }

  /** Same-deployment options after a failure: an attempt, undefined (stop), or null (move on). */
  private afterFailure(now: number, failure: GatewayError): Attempt | undefined | null {
    const dep = this.order[this.current]!;
    if (!shouldFallBack(failure, this.plan, dep)) return undefined;
    if (failure.code === 'context_length_exceeded') {
      // Our estimate was low: whatever window this deployment has is too small.
      const window = dep.capabilities.contextWindow ?? this.needs.estimatedInputTokens;
      this.minWindow = Math.max(this.minWindow, window + 1);
      return null;
    }
    const cred = this.currentCredential;
    if (failure.scope === 'credential' && cred !== undefined) {
      (this.badCredentials ??= new Set()).add(cred.id);
      const rotated = this.acquire(this.current, now, 'rotate', 0);
      if (rotated !== undefined) return rotated;
    }
    if (failure.scope === 'provider') (this.demotedProviders ??= new Set()).add(dep.provider.id);
    if (canRetrySameTarget(failure)) {
      if (this.triesOnCurrent < this.plan.retry.attemptsPerDeployment) {
        const delay = retryDelay(failure, this.triesOnCurrent, this.plan.retry, this.rng);
        if (fitsDeadline(this.startedAt, now, delay, this.plan.deadlineMs)) {
          // Admitted as of the moment it will be sent, so a retry-after cooldown that ends
          // before then does not block it.
          const retry = this.acquire(this.current, now + delay, 'retry', delay, cred);
          if (retry !== undefined) {
            this.triesOnCurrent++;
            return retry;
          }
        }
      }
    }
    return null;
  }

  private nextDeployment(now: number, kind: AttemptKind): Attempt | undefined {
    const demoted = this.demotedProviders;
    for (let pass = 0; pass < (demoted === undefined ? 1 : 2); pass++) {
      for (let i = 0; i < this.order.length; i++) {
        if (this.tried[i]) continue;
        const dep = this.order[i]!;
        if (demoted !== undefined && demoted.has(dep.provider.id) !== (pass === 1)) continue;
        if (this.minWindow > 0 && !((dep.capabilities.contextWindow ?? 0) >= this.minWindow)) continue;
        const attempt = this.acquire(i, now, kind, 0);
        if (attempt !== undefined) {
          this.tried[i] = true;
          this.current = i;
          this.triesOnCurrent = 1;
          return attempt;
        }
      }
    }
    return undefined;
  }

  /**
   * Finds a credential of order[i] that health admits at `at` (the preferred one first) and
   * takes passage; undefined when none is available.
   */
  private acquire(i: number, at: number, kind: AttemptKind, delayMs: number, preferred?: CredentialSnapshot): Attempt | undefined {
    const dep = this.order[i]!;
    if (dep.credentials.length === 0) {
      const ref: AttemptRef = { providerId: dep.provider.id, deploymentId: dep.id };
      return this.health.acquire(ref, at) ? this.issue(dep, undefined, ref, kind, delayMs) : undefined;
    }
    if (preferred !== undefined) {
      const ref = refOf(dep, preferred);
      if (this.health.acquire(ref, at)) return this.issue(dep, preferred, ref, kind, delayMs);
    }
    for (const cred of dep.credentials) {
      if (cred === preferred || this.badCredentials?.has(cred.id)) continue;
      const ref = refOf(dep, cred);
      if (this.health.acquire(ref, at)) return this.issue(dep, cred, ref, kind, delayMs);
    }
    return undefined;
  }

  /**
   * Early probe of the least recently failed target (see the header comment). None while any
   * target of this plan already has a trial or probe out: one request at a time finds out.
   */
  private probe(now: number): Attempt | undefined {
    let best: { i: number; cred: CredentialSnapshot | undefined; ref: AttemptRef; last: number } | undefined;
    for (let i = 0; i < this.order.length; i++) {
      const dep = this.order[i]!;
      const creds: ReadonlyArray<CredentialSnapshot | undefined> = dep.credentials.length > 0 ? dep.credentials : [undefined];
      for (const cred of creds) {
        const ref = cred === undefined ? { providerId: dep.provider.id, deploymentId: dep.id } : refOf(dep, cred);
        if (this.health.trialInFlight(ref, now)) return undefined;
        if (!this.health.canProbe(ref, now)) continue;
        const last = this.health.lastFailureAt(ref);
        if (best === undefined || last < best.last) best = { i, cred, ref, last };
        break;
      }
    }
    if (best === undefined || !this.health.probe(best.ref, now)) return undefined;
    this.tried[best.i] = true;
    this.current = best.i;
    this.triesOnCurrent = 1;
    return this.issue(this.order[best.i]!, best.cred, best.ref, 'probe', 0);
  }

  private issue(dep: DeploymentSnapshot, cred: CredentialSnapshot | undefined, ref: AttemptRef, kind: AttemptKind, delayMs: number): Attempt {
    this.currentCredential = cred;
    return { deployment: dep, credential: cred, ref, index: this.attempts++, delayMs, kind };
  }

  noHealthyError(where: string, now: number): GatewayError {
    const reasons = new Set<string>();
    let soonest = Infinity;
    for (const dep of this.order) {
      const creds: ReadonlyArray<CredentialSnapshot | undefined> = dep.credentials.length > 0 ? dep.credentials : [undefined];
      for (const cred of creds) {
        const ref = cred === undefined ? { providerId: dep.provider.id, deploymentId: dep.id } : refOf(dep, cred);
        for (const r of this.health.describe(ref, now)) reasons.add(r);
        soonest = Math.min(soonest, this.health.availableAt(ref, now));
      }
    }
    const detail = reasons.size > 0 ? `: ${[...reasons].join('; ')}` : '';
    const retryAfterMs = Number.isFinite(soonest) ? Math.max(0, soonest - now) : undefined;
    // The caller hears that the route is cooling down and when to come back; which credential or
    // deployment failed, and why, is for the operator (the log line has `message`).
    const when = retryAfterMs === undefined ? '' : `; retry in ${Math.max(1, Math.ceil(retryAfterMs / 1000))}s`;
    const clientMessage = `no healthy deployment for ${where}: every target is cooling down after recent upstream failures${when}`;
    return new GatewayError('no_healthy_deployment', `no healthy deployment for ${where}${detail}`, retryAfterMs === undefined ? { clientMessage } : { retryAfterMs, clientMessage });
  }
}

function refOf(dep: DeploymentSnapshot, cred: CredentialSnapshot): AttemptRef {
  return { providerId: dep.provider.id, deploymentId: dep.id, credentialId: cred.id };
}
