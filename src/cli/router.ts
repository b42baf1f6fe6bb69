// `modelplane router train|calibrate|eval|savings`: make a router from labelled data (and from the
// feedback the gateway recorded), find the threshold for a target strong-tier share, print the
// cost-quality curve (RouteLLM's APGR and CPT), and report what auto routes saved.
import { readFileSync, writeFileSync } from 'node:fs';
import { DataError, parseData, type Example } from '../routing/auto/data.js';
import { curve, type Curve } from '../routing/auto/curve.js';
import { EMBED_FEATURIZER, featurize, featurizeEmbedded, FEATURIZER, STRUCTURAL_NAMES } from '../routing/auto/features.js';
import { embedderFor, vectorFor } from '../routing/auto/vectorize.js';
import { loadRouter } from '../routing/auto/load.js';
import { score, thresholdForShare } from '../routing/auto/model.js';
import { trainVectors } from '../routing/auto/train.js';
import { curveSvg } from '../routing/auto/plot.js';
import { examplesFromLabels } from '../routing/auto/labels.js';
import { parseCommand, renderHelp, UsageError, nearestName, type CommandSpec, type FlagValues } from './args.js';
import { openRouterStore, runSavings, SAVINGS } from './router-savings.js';
import { parseSince } from '../governance/since.js';

const DATA_NOTE = [
  'Data: one JSON object per line with "prompt" (or "messages") and a label:',
  '  {"strong_ok": true, "weak_ok": false}, {"strong_score": 0.9, "weak_score": 0.4}, or {"winner": "strong"|"weak"|"tie"}.',
];
const routerFlag = { type: 'string', value: 'default|FILE', description: 'the router to use (default: the shipped one)' } as const;

const TRAIN: CommandSpec = {
  name: 'router train',
  summary: 'Trains a router from labelled prompts and/or the feedback an auto route recorded; writes nothing on a bad line.',
  usage: '--data FILE.jsonl --out router.json | --from-ledger --config FILE --out router.json',
  flags: {
    data: { type: 'string', value: 'FILE', description: 'labelled prompts (JSON lines)' },
    'from-ledger': { type: 'boolean', description: 'also train on POST /v1/feedback labels the gateway recorded (needs --config)' },
    config: { type: 'string', short: 'c', value: 'FILE', description: 'the gateway config (finds storage.data_dir)' },
    out: { type: 'string', value: 'FILE', description: 'where to write the router' },
    calibration: { type: 'string', value: 'FILE', description: 'prompts held out of training whose scores strong_share is calibrated on (default: the training prompts)' },
    featurizer: { type: 'string', value: 'hashed|embedder', description: 'hashed n-grams of its own (default), or the local embedder the semantic cache shares' },
  },
  notes: DATA_NOTE,
};
const CALIBRATE: CommandSpec = {
  name: 'router calibrate',
  summary: 'Prints the threshold that sends a given share of these prompts to the stronger tier.',
  usage: '--data prompts.jsonl --strong-share 0.3 [--router default|FILE] | --from-ledger --config FILE --route R --strong-share 0.3 [--since 7d]',
  flags: {
    data: { type: 'string', value: 'FILE', description: 'prompts (labels optional)' },
    'strong-share': { type: 'string', value: 'X', description: 'share to send up, 0..1' },
    router: routerFlag,
    'from-ledger': { type: 'boolean', description: 'calibrate on the scores an auto route recorded for live traffic instead (needs --config and --route)' },
    config: { type: 'string', short: 'c', value: 'FILE', description: 'the gateway config (finds storage.data_dir)' },
    route: { type: 'string', value: 'R', description: 'the auto route whose recorded scores to use' },
    since: { type: 'string', value: 'DURATION', description: 'how far back (default 7d)' },
  },
  notes: ['With --from-ledger the threshold is for the router that made the recorded scores: the route\'s at the time.'],
};
const EVAL: CommandSpec = {
  name: 'router eval',
  summary: 'Prints the cost-quality curve with APGR and CPT(50%)/CPT(80%) next to the random router.',
  usage: '--data labelled.jsonl [--router default|FILE] [--format table|json] [--plot curve.svg]',
  flags: {
    data: { type: 'string', value: 'FILE', description: 'prompts with per-tier labels' },
    router: routerFlag,
    format: { type: 'string', value: 'table|json', description: 'output format (default table)' },
    plot: { type: 'string', value: 'FILE', description: 'also draw the curve as SVG' },
  },
  notes: DATA_NOTE,
};
const SPECS = [TRAIN, CALIBRATE, EVAL, SAVINGS];

const HELP = `usage:
${SPECS.map((s) => `  modelplane ${s.name} ${s.usage}`).join('\n')}

modelplane router SUBCOMMAND --help shows each one's flags.
`;

function readData(file: string | undefined, required = true, labelled = true): Example[] {
  if (!file) {
    if (required) throw new UsageError('--data FILE is required');
    return [];
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    return parseData(text, labelled);
  } catch (e) {
    throw e instanceof DataError ? new DataError(`${file}: ${e.message}`) : e;
  }
}

const str = (v: FlagValues, k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
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

function runTrain(v: FlagValues): number {
  const out = str(v, 'out');
  if (out === undefined) throw new UsageError('modelplane router train: --out FILE is required');
  const fromLedger = v['from-ledger'] === true;
  if (!fromLedger && str(v, 'data') === undefined) throw new UsageError('modelplane router train: give --data FILE.jsonl, --from-ledger --config FILE, or both');
  const kind = str(v, 'featurizer') ?? 'hashed';
  if (kind !== 'hashed' && kind !== 'embedder') throw new UsageError('modelplane router train: --featurizer must be hashed or embedder');
  const embedder = kind === 'embedder' ? { name: 'local-hashed-ngrams', dims: 512 } : undefined;
  const local = embedder && embedderFor({ embedder });
  const featurizer = embedder ? EMBED_FEATURIZER : FEATURIZER;
  const data = readData(str(v, 'data'), false);
  const xs = data.map((e) => (local ? featurizeEmbedded(e.input, local.embedSync(e.input.text), embedder!.dims) : featurize(e.input)));
  const ys = data.map((e) => e.weakAsGood);
  let note = '';
  if (fromLedger) {
    const config = str(v, 'config');
    if (config === undefined) throw new UsageError('modelplane router train: --from-ledger needs --config FILE (the gateway\'s; its storage.data_dir holds the labels)');
    const store = openRouterStore(config);
    const labels = examplesFromLabels(store?.labels() ?? [], featurizer, embedder ? STRUCTURAL_NAMES.length + embedder.dims : undefined);
    store?.close();
    xs.push(...labels.xs);
    ys.push(...labels.ys);
    note = `; ${labels.usable} from recorded feedback (skipped ${labels.strongTier} answered by the strongest tier, ${labels.noVector} without a feature vector)`;
  }
  if (xs.length === 0) throw new DataError('nothing to train on: no labelled lines and no usable feedback labels');
  if (!ys.includes(0) || !ys.includes(1)) process.stderr.write('modelplane router train: warning: every example has the same label; the router will send everything one way\n');
  const model = trainVectors(xs, ys, { featurizer, ...(embedder ? { embedder } : {}), trainedOn: [str(v, 'data'), fromLedger ? 'feedback' : undefined].filter(Boolean).join(' + ') });
  const cal = str(v, 'calibration');
  if (cal !== undefined) {
    // Scores of prompts the head never saw: a training sample's scores are more extreme than live traffic's.
    model.calibration = readData(cal, true, false).map((e) => Math.round(score(model, vectorFor(model, e.input)) * 1e6) / 1e6).sort((a, b) => a - b);
  }
  writeFileSync(out, JSON.stringify(model) + '\n');
  process.stdout.write(`trained on ${xs.length} examples (${data.length} from ${str(v, 'data') ?? 'no file'}${note}); wrote ${out}\n`);
  return 0;
}

function runCalibrate(v: FlagValues): number {
  const raw = str(v, 'strong-share');
  const share = Number(raw);
  if (raw === undefined || !(share >= 0 && share <= 1)) throw new UsageError('modelplane router calibrate: --strong-share must be a number from 0 to 1');
  let scores: number[];
  if (v['from-ledger'] === true) {
    scores = recordedScores(v);
  } else {
    const data = readData(str(v, 'data'), true, false);
    const model = loadRouter(str(v, 'router') ?? 'default', undefined);
    scores = data.map((e) => score(model, vectorFor(model, e.input))).sort((a, b) => a - b);
  }
  const t = thresholdForShare(scores, share);
  const up = scores.filter((s) => s < t).length / scores.length;
  process.stdout.write(`threshold ${t.toFixed(4)} sends ${(up * 100).toFixed(1)}% of these ${scores.length} requests to the stronger tier\n`);
  return 0;
}

/** Router scores an auto route recorded for its traffic (router.sqlite), sorted. */
function recordedScores(v: FlagValues): number[] {
  const config = str(v, 'config');
  const route = str(v, 'route');
  if (config === undefined || route === undefined) throw new UsageError('modelplane router calibrate: --from-ledger needs --config FILE and --route R');
  let sinceMs: number;
  try {
    sinceMs = parseSince(str(v, 'since') ?? '7d', Date.now());
  } catch (e) {
    throw new UsageError(`modelplane router calibrate: --since: ${(e as Error).message}`);
  }
  const store = openRouterStore(config);
  const scores: number[] = [];
  try {
    for (const d of store?.decisions(sinceMs, route) ?? []) if (d.score !== undefined) scores.push(d.score);
  } finally {
    store?.close();
  }
  if (scores.length === 0) throw new DataError(`no recorded scores for route ${route} since ${new Date(sinceMs).toISOString()}`);
  return scores.sort((a, b) => a - b);
}

function runEval(v: FlagValues): number {
  const format = str(v, 'format') ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError('modelplane router eval: --format must be table or json');
  const data = readData(str(v, 'data'));
  const c = curve(loadRouter(str(v, 'router') ?? 'default', undefined), data);
  const plot = str(v, 'plot');
  if (plot !== undefined) writeFileSync(plot, curveSvg(c));
  if (format === 'json') process.stdout.write(JSON.stringify({ apgr: c.apgr, random_apgr: c.randomApgr, cpt50: c.cpt50 ?? null, cpt80: c.cpt80 ?? null, weak_quality: c.weakQuality, strong_quality: c.strongQuality, points: c.points }) + '\n');
  else process.stdout.write(table(c));
  return 0;
}

const RUN: Record<string, (v: FlagValues) => number | Promise<number>> = { 'router train': runTrain, 'router calibrate': runCalibrate, 'router eval': runEval, 'router savings': runSavings };

export async function runRouter(argv: string[]): Promise<number> {
  const [sub, ...args] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  const spec = SPECS.find((s) => s.name === `router ${sub}`);
  try {
    if (spec === undefined) throw new UsageError(`modelplane router: unknown subcommand "${sub}"; did you mean "${nearestName(sub, SPECS.map((s) => s.name.slice(7)))}"? (modelplane router --help lists them)`);
    const parsed = parseCommand(spec, args);
    if (parsed.help) {
      process.stdout.write(renderHelp(spec));
      return 0;
    }
    return await RUN[spec.name]!(parsed.values);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if (e instanceof Error) {
      process.stderr.write(`modelplane router: ${e.message}\n`);
      return e instanceof DataError ? 2 : 1;
    }
    throw e;
  }
}
