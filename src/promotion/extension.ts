// Graduated promotion as an Extension: a stage sends each request of a promoted route down the
// candidate's arm with the controller's current share (a weighted overlay on the route, held in
// memory and the store, never in the user's config file), the after-hook feeds each arm's
// outcome back, and a timer lets the controller decide. Admin endpoints show and steer it.
import type { DeploymentSnapshot, RouteSnapshot, Snapshot } from '../config/snapshot.js';
import { promotionSchema } from '../config/substitution-schema.js';
import type { Call } from '../gateway/call.js';
import type { EndpointSpec } from '../gateway/endpoint.js';
import { jsonEndpoint } from '../gateway/endpoints/json.js';
import type { Extension } from '../gateway/extension.js';
import { TARGET_HEADER } from '../evals/target-pin.js';
import type { ShadowAggregates } from '../shadow/aggregate.js';
import { GatewayError } from '../spec/errors.js';
import type { Logger } from '../telemetry/log.js';
import { PromotionController, PromotionError } from './controller.js';
import type { Arm } from './state.js';
import type { PromotionStore } from './store.js';

const ARM = Symbol('promotion-arm');
const BODY = Symbol('promotion-body');

export interface PromotionOptions {
  log: Logger;
  snapshot: Snapshot;
  store?: PromotionStore;
  shadow?: ShadowAggregates;
  now?: () => number;
  random?: () => number;
  /** How often the controller decides; 0: never by itself (tests call `controller.tick`). */
  tickMs?: number;
}

export interface PromotionExtension extends Extension {
  readonly controller: PromotionController;
}

const overlays = new WeakMap<RouteSnapshot, Map<string, { candidate: RouteSnapshot; incumbent: RouteSnapshot }>>();

/** The route as each arm sees it: the candidate first (the incumbents behind it as fallback), or the incumbents alone. */
export function armRoutes(route: RouteSnapshot, cand: DeploymentSnapshot = route.promotion!.candidate): { candidate: RouteSnapshot; incumbent: RouteSnapshot } {
  let byCandidate = overlays.get(route);
  if (!byCandidate) overlays.set(route, (byCandidate = new Map()));
  let o = byCandidate.get(cand.id);
  if (o) return o;
  const rest = route.targets.filter((t) => t.id !== cand.id);
  const incumbentTargets = rest.length > 0 ? rest : route.targets;
  const incumbentWeights = rest.length > 0 ? route.targets.flatMap((t, i) => (t.id === cand.id ? [] : [route.weights[i] ?? 1])) : route.weights;
  o = {
    candidate: { ...route, strategy: 'ordered', targets: [cand, ...rest], weights: [1, ...rest.map(() => 1)], classes: [], retry: { ...route.retry, maxAttempts: route.retry.maxAttempts + 1 } },
    incumbent: { ...route, targets: incumbentTargets, weights: incumbentWeights, classes: rest.length === route.targets.length ? route.classes : [] },
  };
  byCandidate.set(cand.id, o);
  return o;
}

function bodyOf(call: Call): Record<string, unknown> {
  const b = call[BODY];
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new GatewayError('invalid_request', 'expected a JSON object body');
  return b as Record<string, unknown>;
}

function routeParam(call: Call): string {
  const r = bodyOf(call).route;
  if (typeof r !== 'string' || r === '') throw new GatewayError('invalid_request', 'route: expected the name of a route', { param: 'route' });
  return r;
}

function postEndpoint(answer: (call: Call) => unknown): EndpointSpec {
  const base = jsonEndpoint('admin', 'admin', (_d, call) => answer(call));
  return {
    ...base,
    method: 'POST',
    decode(call, body) {
      call[BODY] = body;
    },
  };
}

export function promotions(opts: PromotionOptions): PromotionExtension {
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const shadow = opts.shadow;
  const controller = new PromotionController({ log: opts.log, ...(opts.store ? { store: opts.store } : {}), ...(shadow ? { shadowSimilarity: (r, c) => shadow.meanSimilarity(r, c), shadowWin: (r, c) => shadow.winRate(r, c) } : {}) });
  let synced: Snapshot = opts.snapshot;
  controller.sync(synced, now());
  const syncTo = (s: Snapshot) => {
    if (s !== synced && s.version >= synced.version) {
      synced = s;
      controller.sync(s, now());
    }
  };
  const timer = (opts.tickMs ?? 1000) > 0 ? setInterval(() => controller.tick(now()), opts.tickMs ?? 1000) : undefined;
  timer?.unref();
  const steer = (fn: (route: string, t: number) => unknown) =>
    postEndpoint((call) => {
      syncTo(call.ex.snapshot);
      try {
        fn(routeParam(call), now());
      } catch (e) {
        if (e instanceof PromotionError) throw new GatewayError('invalid_request', e.message, { param: 'route' });
        throw e;
      }
      return { promotions: controller.view() };
    });

  const endpoints = new Map<string, EndpointSpec>([
    ['GET /admin/promotions', jsonEndpoint('admin', 'admin', (_d, call) => (syncTo(call.ex.snapshot), { promotions: controller.view() }))],
    ['POST /admin/promotions/pause', steer((r, t) => controller.pause(r, t))],
    ['POST /admin/promotions/resume', steer((r, t) => controller.resume(r, t))],
    ['POST /admin/promotions/abort', steer((r, t) => controller.abort(r, t))],
    [
      'POST /admin/promotions/start',
      postEndpoint((call) => {
        syncTo(call.ex.snapshot);
        const b = bodyOf(call);
        const route = routeParam(call);
        // The body's `promotion` is the block a config would hold, checked by the same schema.
        const parsed = promotionSchema.safeParse(b.promotion);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          const at = ['promotion', ...issue.path.map(String)].join('.');
          throw new GatewayError('invalid_request', `${at}: ${issue.message}`, { param: at });
        }
        try {
          controller.start(call.ex.snapshot, route, parsed.data, now());
        } catch (e) {
          if (e instanceof PromotionError) throw new GatewayError('invalid_request', e.message, { param: 'promotion' });
          throw e;
        }
        return { promotions: controller.view() };
      }),
    ],
    [
      'POST /admin/promotions/eval',
      postEndpoint((call) => {
        const b = bodyOf(call);
        const route = routeParam(call);
        const rate = b.pass_rate;
        if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw new GatewayError('invalid_request', 'pass_rate: expected a number in 0..1', { param: 'pass_rate' });
        const deployment = typeof b.deployment === 'string' ? b.deployment : controller.candidateOf(route)?.id;
        if (deployment === undefined) throw new GatewayError('invalid_request', 'deployment: expected the deployment the suite ran against', { param: 'deployment' });
        controller.recordEval(route, deployment, rate, typeof b.cases === 'number' ? b.cases : 0);
        return { recorded: { route, deployment, pass_rate: rate } };
      }),
    ],
  ]);

  return {
    name: 'promotion',
    controller,
    endpoints,
    // Always on: a promotion can be started through the admin API under any snapshot; a route
    // without one costs the stage a map lookup.
    enabled: () => true,
    stage: (call, next) => {
      const route = call.route;
      if (route === undefined || call.endpoint !== 'chat' || call.ex.req.headers[TARGET_HEADER] !== undefined) return next();
      syncTo(call.ex.snapshot);
      const p = controller.settingsFor(route.name);
      if (p === undefined) return next();
      const share = controller.share(route.name);
      const arm: Arm = share > 0 && random() * 100 < share ? 'candidate' : 'incumbent';
      call[ARM] = arm;
      const arms = armRoutes(route, p.candidate);
      call.route = arm === 'candidate' ? arms.candidate : arms.incumbent;
      return next();
    },
    after(call) {
      const arm = call[ARM] as Arm | undefined;
      if (arm === undefined || call.route === undefined || call.outcome.status === 499) return;
      const o = call.outcome;
      // The arm's first attempt failing counts, even when a fallback then saved the request.
      const error = call.trace.failures.length > 0 || o.status >= 500;
      controller.record(call.route.name, arm, error, error ? undefined : Date.now() - call.ex.startedAt);
    },
    close() {
      if (timer) clearInterval(timer);
      return controller.close();
    },
  };
}
