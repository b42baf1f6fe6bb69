// zod issues -> one line per problem that says how to fix it: the path, what was expected, and
// for a typo the nearest valid key. Raw zod text (`expected record, received undefined`) names
// the schema's internals, not the file the user is editing.

import type { z } from 'zod';
import { didYouMean, nearestName } from './suggest.js';

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out || '(root)';
}

const SECTION_HINTS: Record<string, string> = {
  providers: 'providers: { NAME: { preset: openai, api_key: ... } }',
  deployments: 'deployments: { NAME: { provider: PROVIDER, model: MODEL_ID } }',
  routes: 'routes: { NAME: { targets: [DEPLOYMENT, ...] } }',
};

interface ZodDef {
  type: string;
  shape?: Record<string, { _zod: { def: ZodDef } }>;
  innerType?: { _zod: { def: ZodDef } };
  valueType?: { _zod: { def: ZodDef } };
  element?: { _zod: { def: ZodDef } };
  in?: { _zod: { def: ZodDef } };
  options?: Array<{ _zod: { def: ZodDef } }>;
}

/** The keys an object schema at `path` accepts (for "did you mean" on an unknown key). */
export function keysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  let def = (schema as unknown as { _zod: { def: ZodDef } })._zod.def;
  const unwrap = () => {
    for (;;) {
      if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType) def = def.innerType._zod.def;
      else if (def.type === 'pipe' && def.in) def = def.in._zod.def;
      else if (def.type === 'union' && def.options) {
        const obj = def.options.find((o) => o._zod.def.type === 'object');
        if (!obj) return;
        def = obj._zod.def;
      } else return;
    }
  };
  unwrap();
  for (const seg of path) {
    if (def.type === 'object' && def.shape && typeof seg === 'string' && def.shape[seg]) def = def.shape[seg]._zod.def;
    else if (def.type === 'record' && def.valueType) def = def.valueType._zod.def;
    else if (def.type === 'array' && def.element) def = def.element._zod.def;
    else return [];
    unwrap();
  }
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v = input;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

export function zodProblems(error: z.ZodError, schema: z.ZodType, input?: unknown): string[] {
  // A misspelt section (`rotues:`) also makes the real one missing: report the typo only.
  const misspelt = new Set<string>();
  for (const issue of error.issues) {
    if (issue.code !== 'unrecognized_keys' || issue.path.length > 0) continue;
    const valid = keysAt(schema, []);
    for (const k of issue.keys) {
      const near = nearestName(k, valid);
      if (near !== undefined && didYouMean(k, [near]) !== '') misspelt.add(near);
    }
  }
  const issues = error.issues.filter((i) => !(i.code === 'invalid_type' && i.path.length === 1 && misspelt.has(String(i.path[0]))));
  return issues.map((issue) => {
    const where = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const valid = keysAt(schema, issue.path);
      const keys = issue.keys.map((k) => `"${k}"${didYouMean(k, valid)}`).join(', ');
      return `${where}: unknown key ${keys}${valid.length ? ` (valid keys: ${valid.join(', ')})` : ''}`;
    }
    if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
      const section = issue.path.length === 1 ? SECTION_HINTS[String(issue.path[0])] : undefined;
      if (section) return `${where}: the section is missing; add it, e.g. ${section}`;
      return `${where}: required (expected ${issue.expected})`;
    }
    if (issue.code === 'invalid_union' && issue.message === 'Invalid input') {
      const forms = [...new Set(issue.errors.map((branch) => branch[0]?.message.replace(/^Invalid input: /, '').replace(/, received .*$/, '') ?? ''))].filter(Boolean);
      return `${where}: accepted forms: ${forms.join('; or ')}`;
    }
    if (issue.code === 'invalid_value' && 'values' in issue) {
      const values = issue.values.map(String);
      const got = valueAt(input, issue.path);
      const hint = typeof got === 'string' ? didYouMean(got, values) : '';
      return `${where}: expected one of ${values.join(', ')}${typeof got === 'string' ? `, got "${got}"` : ''}${hint}`;
    }
    return `${where}: ${issue.message}`;
  });
}
