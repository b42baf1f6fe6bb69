// One scenario suite (hono's runTest pattern), run for every pair of client wire format (OpenAI
// chat completions, Anthropic Messages, OpenAI Responses; each through its official SDK,
// test/conformance-ingress.ts) and upstream wire format (OpenAI chat, Anthropic, Gemini, Bedrock;
// each a small adapter naming a route backed by that format's simulated upstream and reading the
// request it received, test/conformance-egress.ts). Assertions are on what crossed the wire: the
// recorded upstream body and the client's decoded answer. The scenarios are in
// conformance-scenarios.ts; the translator-only round trips (no HTTP) in round-trips.test.ts.
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from './harness.js';
import { CONFIG } from './cross-format-kit.js';
import { EGRESS } from './conformance-egress.js';
import { INGRESS } from './conformance-ingress.js';
import { SCENARIOS } from './conformance-scenarios.js';

let h: Harness;
before(async () => {
  h = await startHarness({ config: CONFIG });
});
after(async () => h.close());

for (const ingress of INGRESS) {
  for (const egress of EGRESS) {
    describe(`${ingress.format} client -> ${egress.format} upstream (route ${egress.route})`, () => {
      for (const s of SCENARIOS) {
        test(s.name, { skip: s.skip?.(ingress, egress) ?? false }, async () => {
          h.sim.reset();
          await s.run(h, ingress, egress);
        });
      }
    });
  }
}
