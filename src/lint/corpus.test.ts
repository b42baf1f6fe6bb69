import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreCorpus } from './testing/corpus.js';

test('corpus: every planted id found at its line and column, and nothing else (precision and recall >= 0.98)', (t) => {
  const s = scoreCorpus();
  t.diagnostic(`corpus: ${s.files} files, ${s.expected} planted, ${s.found} found, precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)}`);
  assert.ok(s.files >= 25, `scanned ${s.files} files`);
  assert.ok(s.expected >= 60, `only ${s.expected} planted ids`);
  assert.deepEqual(s.missed, [], 'missed');
  assert.deepEqual(s.falsePositives, [], 'false positives');
  assert.ok(s.precision >= 0.98 && s.recall >= 0.98);
});
