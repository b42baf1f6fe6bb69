// `--guard 'error_rate<=+1%'`: the command-line form of a promotion's guards (Flagger's and Argo
// Rollouts' analysis thresholds read the same way). Each names a guard, the direction it may
// move in, and a limit as a number or a percentage; the result is the config's `guards:` block.
import type { PromotionConfig } from '../config/substitution-schema.js';

type Guards = NonNullable<PromotionConfig['guards']>;

/** Guards whose limit is an increase over the incumbent (`<=`) and those that are a floor (`>=`). */
const DIRECTION: Record<keyof Guards, '<=' | '>='> = {
  error_rate: '<=',
  p95_latency: '<=',
  eval_pass: '>=',
  shadow_similarity: '>=',
  shadow_win: '>=',
};

const FORM = /^\s*([a-z0-9_]+)\s*(<=|>=|<|>|=)\s*([+]?)(\d+(?:\.\d+)?)\s*(%?)\s*$/;

export class GuardSpecError extends Error {}

export function parseGuard(text: string): [keyof Guards, number] {
  const m = FORM.exec(text);
  if (!m) throw new GuardSpecError(`--guard "${text}": expected NAME<=LIMIT or NAME>=LIMIT, e.g. 'error_rate<=+1%' or 'eval_pass>=0.95'`);
  const [, name, op, , num, pct] = m;
  if (!(name! in DIRECTION)) throw new GuardSpecError(`--guard "${text}": unknown guard "${name}" (known: ${Object.keys(DIRECTION).join(', ')})`);
  const guard = name as keyof Guards;
  const want = DIRECTION[guard];
  if (op !== want) throw new GuardSpecError(`--guard "${text}": ${guard} is written ${guard}${want}LIMIT (${want === '<=' ? 'the most it may rise over the incumbent' : 'the least it may be'})`);
  const value = pct === '%' ? Number(num) / 100 : Number(num);
  if (guard !== 'p95_latency' && value > 1) throw new GuardSpecError(`--guard "${text}": ${guard} is a share from 0 to 1 (or 0% to 100%)`);
  return [guard, value];
}

export function parseGuards(texts: readonly string[]): Guards {
  const out: Guards = {};
  for (const t of texts) {
    const [g, v] = parseGuard(t);
    if (out[g] !== undefined) throw new GuardSpecError(`--guard ${g} is given twice`);
    out[g] = v;
  }
  return out;
}
