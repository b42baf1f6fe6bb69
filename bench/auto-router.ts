// What the auto router adds per request, in process: feature extraction + scoring, for a short
// and a long prompt. `node dist/bench/auto-router.js` (also printed by `npm run bench`'s notes).
// A loop figure flatters the in-server cost (see docs/benchmarks.md); it bounds it from below.
import { featureInput } from '../src/routing/auto/features.js';
import { loadRouter } from '../src/routing/auto/load.js';
import { scoreInput } from '../src/routing/auto/model.js';
import type { CanonicalRequest } from '../src/spec/canonical.js';

const model = loadRouter('default', undefined);
const req = (text: string): CanonicalRequest => ({ model: 'r', stream: false, messages: [{ role: 'user', content: [{ type: 'text', text }] }] });
const cases = {
  short: req('Translate into French: "The meeting is moved to Thursday."'),
  long: req('Design a distributed job queue that handles 50 thousand requests per second. '.repeat(40)),
};
for (const [name, r] of Object.entries(cases)) {
  for (let i = 0; i < 2000; i++) scoreInput(model, featureInput(r));
  const n = 20000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) scoreInput(model, featureInput(r));
  const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
  console.log(`auto router, ${name} prompt (${r.messages[0]!.content[0]!.type === 'text' ? (r.messages[0]!.content[0] as { text: string }).text.length : 0} chars): ${us.toFixed(1)} µs per request`);
}
