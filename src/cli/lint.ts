// `modelplane lint`: finds provider model ids hard-coded in application code. Application code
// names routes; model ids belong in gateway config and the provider catalog. Matches string
// literals against the catalog's model ids and against the shapes of well-known model families.
// A line (or the line above it) containing `modelplane-lint-ignore` is exempt.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { loadCatalog } from '../catalog/index.js';

const EXTENSIONS = new Set(['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.py', '.go', '.java', '.kt', '.rb', '.rs', '.cs', '.php', '.swift']);
const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', '.git', 'vendor', 'third_party', '__fixtures__', 'coverage']);

/** Shapes of model ids from the major families, inside quotes. Kept as data-like patterns. */
const FAMILY_PATTERNS: RegExp[] = [
  /^(gpt-[0-9]|gpt-4o|o[1345](-mini|-pro|-preview)?$|o[1345]-20)/i,
  /^claude-(instant|[0-9]|3|opus|sonnet|haiku)/i,
  /^gemini-([0-9]|pro|flash|ultra|exp)/i,
  /^deepseek-(chat|reasoner|coder|v[0-9]|r[0-9])/i,
  /^qwen([0-9][0-9.]*|-(max|plus|turbo|coder|vl|long))/i,
  /^glm-[0-9]/i,
  /^(kimi-|moonshot-v[0-9])/i,
  /^(mistral|ministral|codestral|pixtral|magistral)-(large|medium|small|tiny|[0-9])/i,
  /^(meta-)?llama-?[0-9]/i,
  /^command-(r|a|light)/i,
  /^(grok-[0-9]|text-embedding-|embed-(english|multilingual))/i,
  /^(anthropic|amazon|meta|mistral|cohere|ai21|us|eu|apac)\.[a-z]/i,
];

export interface Finding {
  file: string;
  line: number;
  literal: string;
}

const LITERAL = /(["'`])((?:(?!\1)[^\\\n]|\\.){2,80})\1/g;

export function lintText(text: string, file: string, known: ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.includes('modelplane-lint-ignore') || (i > 0 && lines[i - 1]!.includes('modelplane-lint-ignore'))) continue;
    for (const m of line.matchAll(LITERAL)) {
      const lit = m[2]!;
      if (/\s/.test(lit) && !known.has(lit)) continue;
      if (known.has(lit) || FAMILY_PATTERNS.some((p) => p.test(lit))) out.push({ file, line: i + 1, literal: lit });
    }
  }
  return out;
}

function knownModelIds(): Set<string> {
  const ids = new Set<string>();
  for (const entry of loadCatalog().values()) for (const id of Object.keys(entry.models ?? {})) ids.add(id);
  return ids;
}

function* walk(path: string): Generator<string> {
  let st;
  try {
    st = statSync(path);
  } catch {
    return;
  }
  if (st.isFile()) {
    if (EXTENSIONS.has(extname(path))) yield path;
    return;
  }
  for (const name of readdirSync(path)) {
    if (SKIP_DIRS.has(name) || name.startsWith('.')) continue;
    yield* walk(join(path, name));
  }
}

/** Files allowed to hold model ids: the catalog itself and test files that replay captures. */
function exempt(file: string): boolean {
  return /(^|\/)src\/catalog\//.test(file) || /\.test\.[cm]?[jt]sx?$/.test(file);
}

export function lintPaths(paths: string[]): Finding[] {
  const known = knownModelIds();
  const findings: Finding[] = [];
  for (const p of paths) {
    for (const file of walk(p)) {
      const rel = relative(process.cwd(), file) || file;
      if (exempt(rel)) continue;
      findings.push(...lintText(readFileSync(file, 'utf8'), rel, known));
    }
  }
  return findings;
}

export function runLint(args: string[]): number {
  const paths = args.length > 0 ? args : ['src'];
  const findings = lintPaths(paths);
  for (const f of findings) {
    process.stdout.write(`${f.file}:${f.line}: model id "${f.literal}" in code; name a route instead and map it to a model in the gateway config\n`);
  }
  process.stdout.write(findings.length === 0 ? `modelplane lint: no model ids in ${paths.join(', ')}\n` : `modelplane lint: ${findings.length} finding(s)\n`);
  return findings.length === 0 ? 0 : 1;
}
