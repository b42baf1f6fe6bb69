// Tenancy as a lifecycle Extension:
//   authenticate  an `mp-` key -> Caller {kind: 'key', keyId, team, customer, agent}; the
//                 Principal (hierarchy applied) kept on the call. Before the body is read.
//   stage         admission for chat and embeddings: route allowlist, attribution (key-bound
//                 values win), sensitivity -> call.exclude (the planner filters before routing),
//                 budget reservation, rate limits; rate-limit headers into call.headers (written
//                 on success and on errors, streams included).
//   after         settlement: real cost into budgets, real tokens into limits, one ledger record
//                 per request (refusals and failures included); call.outcome.costUsd.
// Nothing here waits on the store: the Governor's memory is the hot path.

import type { DeploymentSnapshot, RouteSnapshot, Snapshot } from '../config/snapshot.js';
import type { Answer, Call, Caller } from '../gateway/call.js';
import type { Extension } from '../gateway/extension.js';
import { keyMatches } from '../server/auth.js';
import { GatewayError } from '../spec/errors.js';
import { KEY_PREFIX } from './keys.js';
import { RateLimitError, type Admission, type AdmitInput, type Governor } from './governor.js';
import type { Principal } from './hierarchy.js';

const PRINCIPAL = Symbol('tenants.principal');
const ADMISSION = Symbol('tenants.admission');
const GOVERNED = Symbol('tenants.governed');

/** Every deployment a route may reach, across its request classes (computed once per route object). */
const routeTargets = new WeakMap<RouteSnapshot, readonly DeploymentSnapshot[]>();
function targetsOf(route: RouteSnapshot): readonly DeploymentSnapshot[] {
  let t = routeTargets.get(route);
  if (!t) {
    const all = new Set<DeploymentSnapshot>(route.targets);
    for (const c of route.classes) for (const d of c.targets) all.add(d);
    routeTargets.set(route, (t = [...all]));
  }
  return t;
}

/** The route as served by its `on_budget_exhausted` targets (built once per route object). */
const fallbackRoutes = new WeakMap<RouteSnapshot, RouteSnapshot>();
function fallbackRoute(route: RouteSnapshot): RouteSnapshot | undefined {
  const fb = route.budgetFallback;
  if (!fb || fb.targets.length === 0) return undefined;
  let r = fallbackRoutes.get(route);
  if (!r) {
    const { budgetFallback: _omit, ...rest } = route;
    r = { ...rest, targets: fb.targets, weights: fb.targets.map((d) => d.weight), classes: [] };
    fallbackRoutes.set(route, r);
  }
  return r;
}

function both(a: Call['exclude'], b: NonNullable<Call['exclude']>): NonNullable<Call['exclude']> {
  if (!a) return b;
  return (d) => a(d) ?? b(d);
}

export interface TenancyExtensionOptions {
  /** Whether the extension runs for a snapshot (default: always). */
  enabled?: (snapshot: Snapshot) => boolean;
}

export function tenancyExtension(gov: Governor, opts: TenancyExtensionOptions = {}): Extension {
  // Hot reload: the first request under a newer snapshot hands its tenants to the governor (a
  // pointer compare per request; the rebuild, which may total new budgets from the ledger, runs
  // once per reload).
  let version = -1;
  let tenants: Snapshot['tenants'] = gov.directory.tenants;
  const follow = (s: Snapshot) => {
    if (s.tenants === tenants || s.version < version) return;
    gov.reconfigure(s.tenants);
    tenants = s.tenants;
    version = s.version;
  };
  return {
    name: 'tenants',
    ...(opts.enabled ? { enabled: opts.enabled } : {}),

    authenticate(presented, call): Caller | undefined {
      follow(call.ex.snapshot);
      if (presented === undefined || !presented.startsWith(KEY_PREFIX)) return undefined;
      const master = call.ex.snapshot.auth.masterKey;
      if (master !== undefined && keyMatches(presented, master)) return undefined;
      const p = gov.authenticate(presented);
      call[PRINCIPAL] = p;
      const caller: Caller = { kind: 'key', keyId: p.key.id };
      if (p.key.team !== undefined) caller.team = p.key.team;
      if (p.key.customer !== undefined) caller.customer = p.key.customer;
      if (p.key.agent !== undefined) caller.agent = p.key.agent;
      return caller;
    },

    stage(call, next) {
      follow(call.ex.snapshot);
      if (call.route === undefined) return next();
      if (call.endpoint === 'count_tokens') {
        // Nothing is spent, but the prompt may go upstream to be counted: the policy filter applies.
        const ex = gov.screenOnly({ principal: call[PRINCIPAL] as Principal | undefined, headers: call.ex.req.headers, route: call.route.name, targets: targetsOf(call.route), inputTokens: 0 });
        if (ex) call.exclude = both(call.exclude, ex);
        return next();
      }
      if (call.endpoint !== 'chat' && call.endpoint !== 'embeddings') return next();
      call[GOVERNED] = true;
      const req = call.request;
      const needs = call.needs;
      // One input object, no spreads: this runs for every chat and embeddings request.
      const input: AdmitInput = {
        principal: call[PRINCIPAL] as Principal | undefined,
        headers: call.ex.req.headers,
        // Chat carries metadata and user; embeddings only user (the request has no metadata).
        body: req,
        route: call.route.name,
        targets: targetsOf(call.route),
        inputTokens: needs?.estimatedInputTokens ?? 0,
        request: req,
        requestId: call.ex.requestId,
        // Embeddings produce no output tokens; chat reserves the client's max_tokens (or a default).
        maxTokens: call.endpoint === 'embeddings' ? 0 : needs?.maxOutputTokens,
      };
      const route = call.route;
      // A refusal: rate-limit headers onto the response; on_budget_exhausted gives the cheaper
      // targets their own, smaller reservation, and a refusal there is the answer.
      const refused = (e: unknown): Admission | Promise<Admission> => {
        if (e instanceof RateLimitError) call.headers.push(...e.headers);
        const fallback = e instanceof GatewayError && e.code === 'budget_exceeded' ? fallbackRoute(route) : undefined;
        if (!fallback) throw e;
        input.route = fallback.name;
        input.targets = targetsOf(fallback);
        const fb = (x: Admission) => {
          call.headers.push('x-modelplane-budget-fallback', route.budgetFallback!.label);
          call.route = fallback;
          return x;
        };
        const x = gov.admission(input);
        return x instanceof Promise ? x.then(fb) : fb(x);
      };
      // The embedded store answers synchronously (no promise on the hot path); a shared one
      // (cluster mode) answers after its one round trip.
      let adm: Admission | Promise<Admission>;
      try {
        adm = gov.admission(input);
      } catch (e) {
        adm = refused(e);
      }
      if (adm instanceof Promise) return adm.catch(refused).then((x) => admitted(gov, call, x, next));
      return admitted(gov, call, adm, next);
    },

    // Streams are charged as they run: with a `cutoff` budget, output is counted per event (about
    // four characters per token) and the stream ends with a budget_exceeded error event once it
    // would cost more than it reserved. Without one, no tap exists for the call.
    tap(call) {
      const cut = (call[ADMISSION] as Admission | undefined)?.cutoff;
      if (!cut) return undefined;
      let chars = 0;
      const maxChars = ((cut.limitUsd - cut.inputUsd) / cut.outputUsdPerToken) * 4;
      return (e) => {
        if (e.type === 'text-delta' || e.type === 'reasoning-delta') chars += e.text.length;
        else if (e.type === 'tool-call-delta') chars += e.argumentsDelta.length;
        else return undefined;
        if (chars <= maxChars) return undefined;
        return new GatewayError('budget_exceeded', `The stream was cut off: it used up its reservation of $${cut.limitUsd.toPrecision(3)} under budget ${cut.budget} (cutoff: true).`);
      };
    },

    after(call) {
      if (call[GOVERNED] !== true) return;
      const adm = call[ADMISSION] as Admission | undefined;
      const o = call.outcome;
      const err = o.error;
      const record = gov.settle(adm, {
        requestId: call.ex.requestId,
        endpoint: call.endpoint,
        route: call.route?.name,
        requestClass: call.trace.className,
        deployment: o.attempt?.deployment,
        usage: o.usage,
        status: o.status,
        errorCode: err instanceof GatewayError ? err.code : undefined,
        attempts: call.trace.attempts,
        latencyMs: Date.now() - call.ex.startedAt,
        ttftMs: o.ttftMs,
        cache: o.cache,
        cacheSavedUsd: o.cacheSavedUsd,
      });
      // A refusal before admission has no attribution yet: record who it was from the caller.
      if (!adm) {
        const c = call.caller;
        if (c.keyId !== undefined) record.keyId = c.keyId;
        if (c.team !== undefined) record.team = c.team;
        if (c.customer !== undefined) record.customer = c.customer;
        if (c.agent !== undefined) record.agent = c.agent;
      }
      o.costUsd = record.costUsd;
    },
  };
}

/** An admitted request: attribution into the caller, the policy's exclusion, rate-limit headers. */
function admitted(gov: Governor, call: Call, adm: Admission, next: () => Promise<Answer>): Promise<Answer> {
  call[ADMISSION] = adm;
  const a = adm.attribution;
  const c = call.caller;
  // A new caller object only when attribution adds something (the master caller is frozen).
  if ((a.customer !== undefined && a.customer !== c.customer) || (a.agent !== undefined && a.agent !== c.agent) || (a.workflow !== undefined && a.workflow !== c.workflow)) {
    const caller: Caller = { ...c };
    if (a.customer !== undefined) caller.customer = a.customer;
    if (a.agent !== undefined) caller.agent = a.agent;
    if (a.workflow !== undefined) caller.workflow = a.workflow;
    call.caller = caller;
  }
  if (adm.sensitivity !== undefined) call.sensitivity = adm.sensitivity;
  if (adm.exclude) call.exclude = both(call.exclude, adm.exclude);
  if (adm.limitStates.length > 0) call.headers.push(...gov.responseHeaders(adm));
  return next();
}
