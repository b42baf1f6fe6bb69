// Route resolution: what application code names in `model`.
import type { RouteSnapshot, Snapshot } from '../config/snapshot.js';
import { GatewayError } from '../spec/errors.js';

export function lookupRoute(snapshot: Snapshot, name: string): RouteSnapshot {
  const route = snapshot.routes.get(name);
  if (!route) {
    throw new GatewayError('model_not_found', `The route '${name}' does not exist. Call GET /v1/models for the routes you can use.`, { param: 'model' });
  }
  return route;
}

export function chatRoute(snapshot: Snapshot, name: string): RouteSnapshot {
  const route = lookupRoute(snapshot, name);
  if (route.kind === 'embeddings') {
    throw new GatewayError('unsupported_capability', `route '${route.name}' serves embeddings (POST /v1/embeddings), not chat`, { param: 'model' });
  }
  return route;
}
