// One-off check of the admission estimator's bound (governance/token-estimate.ts) against a real
// BPE on a varied corpus: this repository's docs (English prose), its TypeScript and YAML,
// package-lock.json (JSON), the router's training prompts, and zod's locale files (error messages
// in 40+ languages: CJK, Cyrillic, Arabic, Greek, Hebrew, Devanagari, ...). Each file is cut into
// 2,000-character chunks; the report gives, per kind, how often the estimate is at least the real
// count, and the ratio's minimum, 5th percentile, median and maximum.
//
// The BPE is not a dependency of the gateway: install it anywhere and pass its directory:
//   npm install --prefix /tmp/tok gpt-tokenizer@3
//   node dist/bench/token-estimate-bound.js /tmp/tok/node_modules/gpt-tokenizer

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { textTokens } from '../src/governance/token-estimate.js';

const CHUNK = 2000;

function files(dir: string, ext: RegExp, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, ext, out);
    else if (ext.test(name)) out.push(p);
  }
  return out;
}

function chunks(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + CHUNK / 2 <= text.length; i += CHUNK) out.push(text.slice(i, i + CHUNK));
  return out;
}

async function main(): Promise<void> {
  const lib = process.argv[2];
  if (!lib) throw new Error('usage: token-estimate-bound.js <path to gpt-tokenizer>');
  const { encode } = (await import(pathToFileURL(join(lib, 'esm', 'encoding', 'o200k_base.js')).href)) as { encode(s: string): number[] };
  const root = process.cwd();
  const corpus: Record<string, string[]> = {
    'English prose (docs/*.md)': files(join(root, 'docs'), /\.md$/).flatMap((f) => chunks(readFileSync(f, 'utf8'))),
    'TypeScript (src/**/*.ts)': files(join(root, 'src'), /\.ts$/).flatMap((f) => chunks(readFileSync(f, 'utf8'))),
    'YAML (catalog)': files(join(root, 'src', 'catalog'), /\.yaml$/).flatMap((f) => chunks(readFileSync(f, 'utf8'))),
    'JSON (package-lock.json)': chunks(readFileSync(join(root, 'package-lock.json'), 'utf8')).slice(0, 300),
    'chat prompts (data/router)': chunks(readFileSync(join(root, 'data', 'router', 'train.jsonl'), 'utf8').split('\n').map((l) => { try { return String((JSON.parse(l) as { prompt?: unknown }).prompt ?? ''); } catch { return ''; } }).join('\n')).slice(0, 300),
  };
  const locales = join(root, 'node_modules', 'zod', 'v4', 'locales');
  for (const f of readdirSync(locales).filter((n) => n.endsWith('.js') && n !== 'index.js')) {
    // Only the message strings: the code around them is the same in every locale.
    const strings = [...readFileSync(join(locales, f), 'utf8').matchAll(/`([^`]{4,})`|"([^"\n]{4,})"/g)].map((m) => m[1] ?? m[2] ?? '').join('\n');
    corpus[`zod locale ${f.replace('.js', '')}`] = [strings];
  }
  const rows: Array<{ kind: string; n: number; over: number; min: number; p5: number; med: number; max: number }> = [];
  const all: number[] = [];
  for (const [kind, texts] of Object.entries(corpus)) {
    const ratios = texts.filter((t) => t.trim().length > 0).map((t) => textTokens(t) / Math.max(1, encode(t).length)).sort((a, b) => a - b);
    if (ratios.length === 0) continue;
    all.push(...ratios);
    const q = (p: number) => ratios[Math.min(ratios.length - 1, Math.floor(p * ratios.length))]!;
    rows.push({ kind, n: ratios.length, over: ratios.filter((r) => r >= 1).length / ratios.length, min: ratios[0]!, p5: q(0.05), med: q(0.5), max: ratios[ratios.length - 1]! });
  }
  console.log('| text | chunks | estimate >= BPE | min ratio | p5 | median | max |\n|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.kind} | ${r.n} | ${(r.over * 100).toFixed(0)}% | ${r.min.toFixed(2)} | ${r.p5.toFixed(2)} | ${r.med.toFixed(2)} | ${r.max.toFixed(2)} |`);
  all.sort((a, b) => a - b);
  console.log(`\nall ${all.length} texts: estimate >= BPE in ${((all.filter((r) => r >= 1).length / all.length) * 100).toFixed(1)}%, >= 0.9x in ${((all.filter((r) => r >= 0.9).length / all.length) * 100).toFixed(1)}%, min ${all[0]!.toFixed(2)}, median ${all[Math.floor(all.length / 2)]!.toFixed(2)}`);
  const t0 = performance.now();
  const sample = corpus['English prose (docs/*.md)']!.slice(0, 200);
  for (const s of sample) encode(s);
  const t1 = performance.now();
  for (const s of sample) textTokens(s);
  const t2 = performance.now();
  console.log(`per 2,000 characters: BPE ${(((t1 - t0) / sample.length) * 1000).toFixed(0)} µs, estimator ${(((t2 - t1) / sample.length) * 1000).toFixed(1)} µs`);
}

main().catch((e: unknown) => {
  console.error(String(e));
  process.exit(1);
});
