// The runner: one lifecycle for every endpoint, after the server has authenticated the caller
// and parsed the body.
//
//   decode     endpoint.decode: request, route, needs        (a throw is bad input: no trace)
//   stages     the snapshot's extensions, onion-style        (may answer or refuse by themselves)
//   produce    endpoint.produce: plan + attempt loop, or a plain answer
//   render     endpoint.render: JSON or stream, in the caller's format
//   after      endpoint.after, then the lifecycle's after-hooks, the request line last
//
// docs/architecture.md ("Request lifecycle") says what each step may read and write.

import type { Call } from './call.js';
import type { GatewayDeps } from './deps.js';
import type { EndpointSpec } from './endpoint.js';
import { renderError } from './render.js';

export function runCall(deps: GatewayDeps, spec: EndpointSpec, call: Call, body: unknown): Promise<void> {
  if (spec.decode !== undefined) {
    let d: void | Promise<void>;
    try {
      d = spec.decode(call, body);
    } catch (e) {
      renderError(call, spec.errors, e, deps.log);
      return Promise.resolve();
    }
    if (d instanceof Promise) {
      return d.then(
        () => serve(deps, spec, call),
        (e: unknown) => renderError(call, spec.errors, e, deps.log),
      );
    }
  }
  return serve(deps, spec, call);
}

async function serve(deps: GatewayDeps, spec: EndpointSpec, call: Call): Promise<void> {
  const lifecycle = deps.lifecycles.for(call.ex.snapshot);
  try {
    const answer = await lifecycle.run(call, (c) => spec.produce(deps, lifecycle, c));
    const r = spec.render(call, answer);
    if (r instanceof Promise) await r;
  } catch (e) {
    renderError(call, spec.errors, e, deps.log);
  }
  if (call.outcome.status === 200 && call.ex.cancel.aborted && !call.ex.res.writableFinished) call.outcome.status = 499;
  if (!spec.logged) return;
  try {
    spec.after?.(call);
  } catch (e) {
    deps.log.error({ request_id: call.ex.requestId, err: e instanceof Error ? e.stack : String(e) }, 'after-hook failed');
  }
  lifecycle.after(call);
}
