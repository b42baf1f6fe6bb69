// One scenario suite, run against every egress wire format (hono's runTest pattern): each format
// is a small adapter (test/cross-format-kit.ts) naming a route backed by that format's simulated
// upstream and reading the request the upstream received. Both ingress formats are clients, via
// the official SDKs. Assertions are on what crossed the wire: the recorded upstream body and the
// client's decoded answer. The scenarios are in conformance-scenarios.ts; the translator-only
// round trips (no HTTP, no fixtures) in round-trips.test.ts.
import { after, before, describe, test } from 'node:test';
import { startHarness } from './harness.js';
import { anthropicClient, CONFIG, EGRESS, openaiClient } from './cross-format-kit.js';
import { SCENARIOS, type Ctx } from './conformance-scenarios.js';

let ctx: Ctx;
before(async () => {
  const h = await startHarness({ config: CONFIG });
  ctx = { h, oc: openaiClient(h), ac: anthropicClient(h) };
});
after(async () => ctx.h.close());

for (const adapter of EGRESS) {
  describe(`egress ${adapter.format} (route ${adapter.route})`, () => {
    for (const s of SCENARIOS) {
      test(s.name, { skip: s.skip?.(adapter) ?? false }, async () => {
        ctx.h.sim.reset();
        await s.run(ctx, adapter);
      });
    }
  });
}
