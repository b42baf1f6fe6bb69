// Measures candidate heads for the auto router on the project's data (docs/routing.md, "Head"):
// logistic regression (what ships) against a one-hidden-layer MLP, both on the same features,
// trained on data/router/train.jsonl and scored on the held-out data/router/eval.jsonl (APGR,
// CPT(80%)). Deterministic (seeded initialisation, full-batch gradient descent).
// Run: npx tsc -p tsconfig.json && node scripts/router-heads.mjs
import { readFileSync } from 'node:fs';
import { parseData } from '../dist/src/routing/auto/data.js';
import { featurize } from '../dist/src/routing/auto/features.js';
import { train } from '../dist/src/routing/auto/train.js';
import { score } from '../dist/src/routing/auto/model.js';

const load = (f) => parseData(readFileSync(new URL(`../data/router/${f}`, import.meta.url), 'utf8'));
const tr = load('train.jsonl');
const ev = load('eval.jsonl');
const X = tr.map((e) => featurize(e.input));
const Y = tr.map((e) => e.weakAsGood);
const XE = ev.map((e) => featurize(e.input));

/** APGR and CPT(80%) of scores on the eval set (high score: the cheap tier). */
function metrics(scores) {
  const n = ev.length;
  const idx = scores.map((s, i) => [s, i]).sort((a, b) => a[0] - b[0]);
  const weak = ev.reduce((a, e) => a + e.weak, 0) / n;
  const strong = ev.reduce((a, e) => a + e.strong, 0) / n;
  let q = weak * n;
  const pgr = [0];
  for (let k = 1; k <= n; k++) {
    const e = ev[idx[k - 1][1]];
    q += e.strong - e.weak;
    pgr.push((q / n - weak) / (strong - weak));
  }
  let area = 0;
  for (let k = 1; k <= n; k++) area += (pgr[k] + pgr[k - 1]) / 2 / n;
  return { apgr: area, cpt80: pgr.findIndex((p) => p >= 0.8) / n };
}

function mlp(hidden, iterations = 600, lr = 0.5, l2 = 1e-3) {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.2;
  const d = X[0].length;
  const W1 = Array.from({ length: hidden }, () => Float64Array.from({ length: d }, rnd));
  const b1 = new Float64Array(hidden);
  const W2 = Float64Array.from({ length: hidden }, rnd);
  let b2 = 0;
  const forward = (x) => {
    const h = W1.map((w, j) => Math.max(0, w.reduce((a, wi, i) => a + wi * x[i], b1[j])));
    const z = h.reduce((a, hj, j) => a + hj * W2[j], b2);
    return { h, p: 1 / (1 + Math.exp(-z)) };
  };
  for (let it = 0; it < iterations; it++) {
    const gW1 = W1.map(() => new Float64Array(d));
    const gb1 = new Float64Array(hidden);
    const gW2 = new Float64Array(hidden);
    let gb2 = 0;
    for (let n = 0; n < X.length; n++) {
      const { h, p } = forward(X[n]);
      const err = p - Y[n];
      gb2 += err;
      for (let j = 0; j < hidden; j++) {
        gW2[j] += err * h[j];
        if (h[j] <= 0) continue;
        const g = err * W2[j];
        gb1[j] += g;
        for (let i = 0; i < d; i++) gW1[j][i] += g * X[n][i];
      }
    }
    const m = X.length;
    b2 -= (lr * gb2) / m;
    for (let j = 0; j < hidden; j++) {
      W2[j] -= lr * (gW2[j] / m + l2 * W2[j]);
      b1[j] -= (lr * gb1[j]) / m;
      for (let i = 0; i < d; i++) W1[j][i] -= lr * (gW1[j][i] / m + l2 * W1[j][i]);
    }
  }
  return (x) => forward(x).p;
}

const logistic = train(tr);
const fmt = (name, m) => console.log(`${name.padEnd(22)} APGR ${m.apgr.toFixed(3)}  CPT(80%) ${(m.cpt80 * 100).toFixed(1)}%`);
fmt('logistic (shipped)', metrics(XE.map((x) => score(logistic, x))));
for (const h of [8, 32]) {
  const f = mlp(h);
  fmt(`MLP, ${h} hidden`, metrics(XE.map(f)));
}
