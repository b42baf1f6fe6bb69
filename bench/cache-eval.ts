// The semantic cache's accuracy on the labelled pairs in test/data/cache-pairs.jsonl: for each
// threshold, how many paraphrases are served and how many hard negatives would be served wrongly,
// with and without the verifier. Prints the table in docs/caching.md.
// Usage: npx tsc -p tsconfig.json && node dist/bench/cache-eval.js [--misses]

import { HashedNgramEmbedder } from '../src/cache/embedder.js';
import { auc, loadPairs, ratesAt, scorePairs } from '../src/cache/evaluate.js';

const file = process.argv.includes('--holdout') ? 'cache-pairs-holdout.jsonl' : 'cache-pairs.jsonl';
const pairs = loadPairs(new URL(`../../test/data/${file}`, import.meta.url));
const scored = scorePairs(pairs, new HashedNgramEmbedder());
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const count = (l: string): number => pairs.filter((p) => p.label === l).length;
console.log(`pairs: ${pairs.length} (paraphrases ${count('paraphrase')}, hard negatives ${count('hard-negative')}, unrelated ${count('unrelated')})`);
console.log(`similarity alone, AUC: paraphrase vs unrelated ${auc(scored, 'unrelated').toFixed(3)}, paraphrase vs hard negative ${auc(scored, 'hard-negative').toFixed(3)}`);
console.log('| threshold | paraphrases served | hard negatives served (wrong) | precision | threshold alone: paraphrases | threshold alone: hard negatives | threshold alone: precision |');
console.log('|---|---|---|---|---|---|---|');
for (const t of [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]) {
  const r = ratesAt(scored, t);
  console.log(`| ${t} | ${pct(r.paraphraseHitRate)} | ${pct(r.hardNegativeWrongRate)} | ${pct(r.precision)} | ${pct(r.thresholdOnly.paraphraseHitRate)} | ${pct(r.thresholdOnly.hardNegativeWrongRate)} | ${pct(r.thresholdOnly.precision)} |`);
}
if (process.argv.includes('--misses')) {
  for (const p of scored) {
    const served = p.similarity >= 0.8 && p.verdict === true;
    if ((p.label === 'paraphrase') !== served) console.log(`${p.label}\t${p.similarity.toFixed(3)}\t${p.verdict}\t${p.a} | ${p.b}`);
  }
}
