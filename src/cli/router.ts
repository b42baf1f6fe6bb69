// `modelplane router train|calibrate|eval`: make a router from labelled data, find the threshold
// for a target strong-tier share, and print the cost-quality curve (RouteLLM's APGR and CPT).
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DataError, parseData } from '../routing/auto/data.js';
import { curve, type Curve } from '../routing/auto/curve.js';
import { featurize } from '../routing/auto/features.js';
import { loadRouter } from '../routing/auto/load.js';
import { score, thresholdForShare } from '../routing/auto/model.js';
import { train } from '../routing/auto/train.js';
import { curveSvg } from '../routing/auto/plot.js';

const HELP = `usage:
  modelplane router train --data FILE.jsonl --out router.json
  modelplane router calibrate --data prompts.jsonl --strong-share 0.3 [--router default|FILE]
  modelplane router eval --data labelled.jsonl [--router default|FILE] [--format table|json] [--plot curve.svg]

Data: one JSON object per line with "prompt" (or "messages") and a label:
  {"strong_ok": true, "weak_ok": false}, {"strong_score": 0.9, "weak_score": 0.4}, or {"winner": "strong"|"weak"|"tie"}.
`;

const OPTIONS = {
  data: { type: 'string' },
  out: { type: 'string' },
  router: { type: 'string' },
  'strong-share': { type: 'string' },
  format: { type: 'string' },
  plot: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function fail(msg: string): number {
  process.stderr.write(`modelplane router: ${msg}\n`);
  return 2;
}

function readData(file: string | undefined) {
  if (!file) throw new DataError('--data FILE is required');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    return parseData(text);
  } catch (e) {
    throw e instanceof DataError ? new DataError(`${file}: ${e.message}`) : e;
  }
}

const pct = (x: number | undefined) => (x === undefined ? 'never' : `${(x * 100).toFixed(1)}%`);

function table(c: Curve): string {
  const rows = ['threshold  strong%  quality  PGR     random PGR'];
  const step = Math.max(1, Math.floor(c.points.length / 10));
  for (let i = 0; i < c.points.length; i += step) {
    const p = c.points[i]!;
    rows.push(`${p.threshold.toFixed(3).padStart(9)}  ${(p.strongShare * 100).toFixed(1).padStart(6)}  ${p.quality.toFixed(3).padStart(7)}  ${p.pgr.toFixed(3).padStart(6)}  ${p.strongShare.toFixed(3).padStart(10)}`);
  }
  rows.push('', `weak-only quality ${c.weakQuality.toFixed(3)}, strong-only ${c.strongQuality.toFixed(3)}`, `APGR ${c.apgr.toFixed(3)} (random ${c.randomApgr.toFixed(3)})  CPT(50%) ${pct(c.cpt50)}  CPT(80%) ${pct(c.cpt80)}`);
  return rows.join('\n') + '\n';
}

export function runRouter(argv: string[]): number {
  const [sub, ...args] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  let values: { [k in keyof typeof OPTIONS]?: string | boolean };
  try {
    values = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (e) {
    return fail(`${(e as Error).message.split('\n')[0]}\n\n${HELP}`);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    switch (sub) {
      case 'train': {
        if (typeof values.out !== 'string') return fail('--out FILE is required');
        const data = readData(values.data as string | undefined);
        const model = train(data, { trainedOn: String(values.data) });
        writeFileSync(values.out, JSON.stringify(model) + '\n');
        process.stdout.write(`trained on ${data.length} examples; wrote ${values.out}\n`);
        return 0;
      }
      case 'calibrate': {
        const share = Number(values['strong-share']);
        if (!(share >= 0 && share <= 1)) return fail('--strong-share must be a number from 0 to 1');
        const data = readData(values.data as string | undefined);
        const model = loadRouter(String(values.router ?? 'default'), undefined);
        const scores = data.map((e) => score(model, featurize(e.input))).sort((a, b) => a - b);
        const t = thresholdForShare(scores, share);
        const up = scores.filter((s) => s < t).length / scores.length;
        process.stdout.write(`threshold ${t.toFixed(4)} sends ${(up * 100).toFixed(1)}% of these ${scores.length} requests to the stronger tier\n`);
        return 0;
      }
      case 'eval': {
        const data = readData(values.data as string | undefined);
        const model = loadRouter(String(values.router ?? 'default'), undefined);
        const c = curve(model, data);
        if (typeof values.plot === 'string') writeFileSync(values.plot, curveSvg(c));
        if (values.format === 'json') process.stdout.write(JSON.stringify({ apgr: c.apgr, random_apgr: c.randomApgr, cpt50: c.cpt50 ?? null, cpt80: c.cpt80 ?? null, weak_quality: c.weakQuality, strong_quality: c.strongQuality, points: c.points }) + '\n');
        else if (values.format === undefined || values.format === 'table') process.stdout.write(table(c));
        else return fail('--format must be table or json');
        return 0;
      }
      default:
        return fail(`unknown subcommand "${sub}" (train, calibrate or eval)\n\n${HELP}`);
    }
  } catch (e) {
    if (e instanceof DataError || e instanceof Error) return fail(e.message);
    throw e;
  }
}
