// An eval suite: a YAML file under `evals/` naming the route whose prompts it tests (never a
// model), cases with messages or template variables over a shared prompt, and assertions. The
// same suite then runs against whatever deployment the route, or a candidate, resolves to.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const message = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

const common = { weight: z.number().positive().optional() };

export const assertionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('equals'), value: z.string(), ...common }),
  z.strictObject({ type: z.literal('contains'), value: z.union([z.string(), z.array(z.string()).min(1)]), ...common }),
  z.strictObject({ type: z.literal('icontains'), value: z.union([z.string(), z.array(z.string()).min(1)]), ...common }),
  z.strictObject({ type: z.literal('regex'), pattern: z.string(), flags: z.string().regex(/^[imsu]*$/).optional(), ...common }),
  z.strictObject({ type: z.literal('json-valid'), ...common }),
  z.strictObject({ type: z.literal('json-schema'), schema: z.record(z.string(), z.unknown()), ...common }),
  z.strictObject({ type: z.literal('json-path'), path: z.string().min(1), equals: z.unknown().optional(), contains: z.string().optional(), ...common }),
  z.strictObject({ type: z.literal('tool-call'), name: z.string().min(1), arguments: z.record(z.string(), z.unknown()).optional(), ...common }),
  z.strictObject({ type: z.literal('numeric'), value: z.number(), tolerance: z.number().nonnegative().optional(), path: z.string().optional(), ...common }),
  z.strictObject({ type: z.literal('max-latency'), ms: z.number().positive(), ...common }),
  z.strictObject({ type: z.literal('max-cost'), usd: z.number().nonnegative(), ...common }),
  z.strictObject({ type: z.literal('similar'), reference: z.string(), threshold: z.number().min(0).max(1).optional(), ...common }),
  /** LLM-as-judge through any gateway route: the rubric decides pass or fail and a score. */
  z.strictObject({ type: z.literal('judge'), route: z.string().min(1), rubric: z.string().min(1), threshold: z.number().min(0).max(1).optional(), ...common }),
]);

const caseSchema = z.strictObject({
  id: z.string().min(1),
  /** Either whole messages, or variables filled into the suite's prompt template. */
  messages: z.array(message).min(1).optional(),
  vars: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  assert: z.array(assertionSchema).min(1),
  /** Share of the weighted assertions that must pass (default 1: all). */
  threshold: z.number().min(0).max(1).optional(),
  tags: z.array(z.string()).optional(),
  /** Request options passed as-is (temperature, max_tokens, tools, response_format, ...). */
  options: z.record(z.string(), z.unknown()).optional(),
});

export const suiteSchema = z.strictObject({
  name: z.string().min(1).optional(),
  route: z.string().min(1),
  description: z.string().optional(),
  prompt: z.array(message).min(1).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  cases: z.array(caseSchema).min(1),
});

export type Assertion = z.output<typeof assertionSchema>;
export type SuiteFile = z.output<typeof suiteSchema>;

export interface EvalMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface EvalCase {
  id: string;
  messages: EvalMessage[];
  assert: Assertion[];
  threshold: number;
  tags: string[];
  options: Record<string, unknown>;
}

export interface Suite {
  name: string;
  route: string;
  cases: EvalCase[];
}

export class SuiteError extends Error {}

function fill(template: string, vars: Record<string, string | number | boolean>, at: string): string {
  return template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_, k: string) => {
    const v = vars[k];
    if (v === undefined) throw new SuiteError(`${at}: the prompt uses {{${k}}} but the case has no such variable`);
    return String(v);
  });
}

/** Validates a parsed suite and expands every case into concrete messages. */
export function compileSuite(raw: unknown, fallbackName: string): Suite {
  const r = suiteSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new SuiteError(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const s = r.data;
  const seen = new Set<string>();
  const cases = s.cases.map((c, i): EvalCase => {
    const at = `cases[${i}] (${c.id})`;
    if (seen.has(c.id)) throw new SuiteError(`${at}: duplicate case id`);
    seen.add(c.id);
    let messages: EvalMessage[];
    if (c.messages) messages = c.messages;
    else if (s.prompt) messages = s.prompt.map((m) => ({ role: m.role, content: fill(m.content, c.vars ?? {}, at) }));
    else throw new SuiteError(`${at}: give messages, or vars with a suite-level prompt`);
    for (const a of c.assert) {
      if (a.type === 'regex') {
        try {
          new RegExp(a.pattern, a.flags);
        } catch (e) {
          throw new SuiteError(`${at}: bad regex: ${(e as Error).message}`);
        }
      }
    }
    return { id: c.id, messages, assert: c.assert, threshold: c.threshold ?? 1, tags: c.tags ?? [], options: { ...(s.options ?? {}), ...(c.options ?? {}) } };
  });
  return { name: s.name ?? fallbackName, route: s.route, cases };
}

export function loadSuite(file: string): Suite {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SuiteError(`${file}: ${(e as Error).message}`);
  }
  const base = file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  try {
    return compileSuite(raw, base);
  } catch (e) {
    throw e instanceof SuiteError ? new SuiteError(`${file}: ${e.message}`) : e;
  }
}
