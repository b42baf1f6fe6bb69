// `x-modelplane-target: DEPLOYMENT` pins a request to one deployment, for eval runs against a
// candidate that takes no traffic yet. Only a trusted caller (the master or admin key, or an open
// gateway) may pin: a virtual key must not pick a deployment its route does not offer.
import type { RouteSnapshot } from '../config/snapshot.js';
import type { Extension } from '../gateway/extension.js';
import { GatewayError } from '../spec/errors.js';

export const TARGET_HEADER = 'x-modelplane-target';

const pinned = new WeakMap<RouteSnapshot, Map<string, RouteSnapshot>>();

/** The route with one target and no classes; cached per (immutable) route and deployment. */
export function pinRoute(route: RouteSnapshot, deployment: RouteSnapshot['targets'][number]): RouteSnapshot {
  let byId = pinned.get(route);
  if (!byId) pinned.set(route, (byId = new Map()));
  let r = byId.get(deployment.id);
  if (!r) {
    r = { ...route, strategy: 'ordered', targets: [deployment], weights: [1], classes: [], retry: { ...route.retry, maxAttempts: Math.max(1, deployment.credentials.length) } };
    byId.set(deployment.id, r);
  }
  return r;
}

export function targetPin(): Extension {
  return {
    name: 'target-pin',
    stage: (call, next) => {
      const want = call.ex.req.headers[TARGET_HEADER];
      if (typeof want !== 'string' || call.route === undefined) return next();
      const k = call.caller.kind;
      if (k !== 'open' && k !== 'master' && k !== 'admin') throw new GatewayError('forbidden', `${TARGET_HEADER} needs the master key`);
      const d = call.ex.snapshot.deployments.get(want);
      if (!d) throw new GatewayError('invalid_request', `${TARGET_HEADER}: unknown deployment "${want}"`, { param: TARGET_HEADER });
      call.route = pinRoute(call.route, d);
      return next();
    },
  };
}
