// Figures for docs/lint.md: precision and recall over the hand-written corpus, and scan speed
// over a real tree (by default this repository's node_modules: the provider SDKs and their
// dependencies, ~9,000 source, JSON and Markdown files).
// Usage: npm run lint:figures [-- DIR]   (after a build)
import { resolve } from 'node:path';
import { scoreCorpus } from '../dist/src/lint/testing/corpus.js';
import { lint } from '../dist/src/lint/engine.js';

const s = scoreCorpus();
console.log(`corpus: ${s.files} files, ${s.expected} planted, ${s.found} found, ${s.truePositives} correct; precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)}`);
for (const m of s.missed) console.log(`  missed: ${m}`);
for (const f of s.falsePositives) console.log(`  false positive: ${f}`);

const dir = resolve(process.argv[2] ?? 'node_modules');
const runs = [];
for (let i = 0; i < 3; i++) {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const r = lint({ cwd: dir, paths: ['.'], gatewayConfigs: [], gitignore: false, useBaseline: false, writeBaseline: false, fix: false });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  runs.push({ files: r.filesScanned, findings: r.findings.length, wall, cpu: (cpu.user + cpu.system) / 1e6 });
}
runs.sort((a, b) => a.wall - b.wall);
const med = runs[1];
console.log(`speed over ${dir}: ${med.files} files, ${med.findings} findings; median of 3 runs ${med.wall.toFixed(2)} s wall (${Math.round((med.files / med.wall) * 60).toLocaleString('en-US')} files/min), ${med.cpu.toFixed(2)} s CPU (${Math.round((med.files / med.cpu) * 60).toLocaleString('en-US')} files/min of CPU)`);
