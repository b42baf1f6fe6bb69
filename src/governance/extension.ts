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
import type { Call, Caller } from '../gateway/call.js';
import type { Extension } from '../gateway/extension.js';
import { keyMatches } from '../server/auth.js';
import { GatewayError } from '../spec/errors.js';
import { KEY_PREFIX } from './keys.js';
import { RateLimitError, type Admission, type Governor } from './governor.js';
import type { Principal } from './hierarchy.js';
import { embeddingInputTokens, requestInputTokens } from './token-estimate.js';

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

function both(a: Call['exclude'], b: Call['exclude']): Call['exclude'] {
  if (!a) return b;
  if (!b) return a;
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
      if ((call.endpoint !== 'chat' && call.endpoint !== 'embeddings') || call.route === undefined) return next();
      call[GOVERNED] = true;
      const principal = call[PRINCIPAL] as Principal | undefined;
      const req = call.request;
      const body = req && 'messages' in req ? req : req ? { ...(req.user !== undefined ? { user: req.user } : {}) } : undefined;
      const admit = (route: RouteSnapshot) =>
        gov.admit({
          ...(principal ? { principal } : {}),
          headers: call.ex.req.headers,
          ...(body ? { body } : {}),
          route: route.name,
          targets: targetsOf(route),
          inputTokens: call.needs?.estimatedInputTokens ?? 0,
          ...(req ? { countInput: () => ('messages' in req ? requestInputTokens(req) : embeddingInputTokens(req.input)) } : {}),
          // Embeddings produce no output tokens; chat reserves the client's max_tokens (or a default).
          ...(call.endpoint === 'embeddings' ? { maxTokens: 0 } : call.needs?.maxOutputTokens !== undefined ? { maxTokens: call.needs.maxOutputTokens } : {}),
        });
      let adm: Admission;
      try {
        adm = admit(call.route);
      } catch (e) {
        if (e instanceof RateLimitError) call.headers.push(...e.headers);
        const fallback = e instanceof GatewayError && e.code === 'budget_exceeded' ? fallbackRoute(call.route) : undefined;
        if (!fallback) throw e;
        // on_budget_exhausted: the cheaper targets get their own, smaller reservation; a refusal
        // there is the answer.
        adm = admit(fallback);
        call.headers.push('x-modelplane-budget-fallback', call.route.budgetFallback!.label);
        call.route = fallback;
      }
      call[ADMISSION] = adm;
      const a = adm.attribution;
      const caller: Caller = { ...call.caller };
      if (a.customer !== undefined) caller.customer = a.customer;
      if (a.agent !== undefined) caller.agent = a.agent;
      if (a.workflow !== undefined) caller.workflow = a.workflow;
      call.caller = caller;
      if (adm.sensitivity !== undefined) call.sensitivity = adm.sensitivity;
      const ex = both(call.exclude, adm.exclude);
      if (ex) call.exclude = ex;
      if (adm.limitStates.length > 0) call.headers.push(...gov.responseHeaders(adm));
      return next();
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
        ...(call.route ? { route: call.route.name } : {}),
        ...(call.trace.className !== undefined ? { requestClass: call.trace.className } : {}),
        ...(o.attempt ? { deployment: o.attempt.deployment } : {}),
        ...(o.usage ? { usage: o.usage } : {}),
        status: o.status,
        ...(err instanceof GatewayError ? { errorCode: err.code } : {}),
        attempts: call.trace.attempts,
        latencyMs: Date.now() - call.ex.startedAt,
        ...(o.ttftMs !== undefined ? { ttftMs: o.ttftMs } : {}),
        ...(o.cache !== undefined ? { cache: o.cache } : {}),
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
