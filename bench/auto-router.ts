// What the auto router adds per request, in process, part by part: feature extraction + scoring
// (the shipped hashed router, and the embedder router with its local embedding), and the
// decision's write-behind (memory queue + batched SQLite rows on a file). `node
// dist/bench/auto-router.js` (also printed by `npm run bench`'s notes). Loop figures flatter the
// in-server cost (see docs/benchmarks.md); they bound it from below. Rounds show the spread.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { featureInput, featurizeEmbedded } from '../src/routing/auto/features.js';
import { loadRouter } from '../src/routing/auto/load.js';
import { score, scoreInput } from '../src/routing/auto/model.js';
import { embedderFor } from '../src/routing/auto/vectorize.js';
import { DecisionRecorder } from '../src/routing/auto/recorder.js';
import { SqliteRouterStore } from '../src/routing/auto/router-store.js';
import type { CanonicalRequest } from '../src/spec/canonical.js';

const hashed = loadRouter('default', undefined);
const embedded = loadRouter('embedder', undefined);
const local = embedderFor(embedded)!;
const req = (text: string): CanonicalRequest => ({ model: 'r', stream: false, messages: [{ role: 'user', content: [{ type: 'text', text }] }] });
const cases = {
  short: req('Translate into French: "The meeting is moved to Thursday."'),
  long: req('Design a distributed job queue that handles 50 thousand requests per second. '.repeat(40)),
};
const recorder = new DecisionRecorder({ store: new SqliteRouterStore(join(mkdtempSync(join(tmpdir(), 'mp-auto-bench-')), 'router.sqlite')), flushMs: 0 });

function perRequest(n: number, f: (i: number) => void): number {
  for (let i = 0; i < Math.min(2000, n); i++) f(-i - 1);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f(i);
  return Number(process.hrtime.bigint() - t0) / 1000 / n;
}

let seq = 0;
for (let round = 1; round <= 3; round++) {
  for (const [name, r] of Object.entries(cases)) {
    const chars = (r.messages[0]!.content[0] as { text: string }).text.length;
    const h = perRequest(10000, () => scoreInput(hashed, featureInput(r)));
    const e = perRequest(10000, () => {
      const f = featureInput(r);
      score(embedded, featurizeEmbedded(f, local.embedSync(f.text), 512));
    });
    const v = featurizeEmbedded(featureInput(r), local.embedSync(featureInput(r).text), 512);
    // A flush every 200 requests: what the 200 ms timer writes at ~1000 requests a second.
    const w = perRequest(10000, (i) => {
      recorder.record({ requestId: `req_bench${(seq++).toString(36)}`, ts: 1, route: 'r', tier: 'small', tierIndex: 0, tiers: 2, score: 0.8, vector: v });
      if (i % 200 === 199) recorder.flush();
    });
    console.log(`round ${round}, ${name} prompt (${chars} chars): hashed router ${h.toFixed(1)} µs, embedder router (local embedding included) ${e.toFixed(1)} µs, decision write-behind ${w.toFixed(1)} µs per request`);
  }
}
recorder.close();
