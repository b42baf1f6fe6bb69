// The x-modelplane-* response headers, built from the call: route, attempts, the deployment that
// answered (or an opaque id when the route hides deployments), fallback reasons and warnings.

import type { DeploymentSnapshot, RouteSnapshot } from '../config/snapshot.js';
import type { Attempt } from './router.js';
import type { Call } from './call.js';

export function headerSafe(v: string): string {
  return v.replace(/[^\x20-\x7e]/g, '?').slice(0, 1024);
}

/**
 * Appends everything the call adds to a status line to `out` (a flat [name, value, ...] list):
 * the id headers, the x-modelplane-* headers when a route was resolved, and `call.headers`.
 */
export function callHeaders(out: string[], call: Call, attempt: Attempt | undefined): string[] {
  const ids = call.ex.idHeaders;
  for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
  const route = call.route;
  if (route !== undefined) {
    const trace = call.trace;
    out.push('x-modelplane-route', routeHeader(route), 'x-modelplane-attempts', String(trace.attempts));
    if (attempt) out.push('x-modelplane-deployment', deploymentHeader(attempt.deployment, route.exposeDeployment));
    if (trace.failures.length > 0) out.push('x-modelplane-fallback-reason', trace.failures.join(','));
    if (trace.warnings.length > 0) out.push('x-modelplane-warnings', headerSafe(trace.warnings.join('; ')));
  }
  const extra = call.headers;
  for (let i = 0; i < extra.length; i++) out.push(extra[i]!);
  return out;
}

const routeHeaders = new WeakMap<RouteSnapshot, string>();
function routeHeader(r: RouteSnapshot): string {
  let v = routeHeaders.get(r);
  if (v === undefined) routeHeaders.set(r, (v = headerSafe(r.name)));
  return v;
}

/** The deployment as shown to clients: its id when the route exposes it, else an opaque hash. */
const shownIds = new WeakMap<DeploymentSnapshot, string>();
export function deploymentHeader(d: DeploymentSnapshot, expose: boolean): string {
  if (expose) return headerSafe(d.id);
  let v = shownIds.get(d);
  if (v === undefined) shownIds.set(d, (v = opaqueId(d.id)));
  return v;
}

function opaqueId(id: string): string {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return 'dep_' + (h >>> 0).toString(16);
}
