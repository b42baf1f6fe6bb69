// What the pipeline is given once, at start-up, by server/app.ts.
import type { Logger } from '../telemetry/log.js';
import type { EgressRegistry } from './attempts.js';
import type { Lifecycles } from './lifecycle.js';
import type { Router } from './router.js';

export interface GatewayDeps {
  router: Router;
  egress: EgressRegistry;
  log: Logger;
  /** The extensions composed per snapshot. */
  lifecycles: Lifecycles;
  /** ms since epoch; `Date.now` unless a test injects one (see Exchange.clock). */
  clock: () => number;
}
