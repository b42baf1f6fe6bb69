// Turns the first zod issue into a GatewayError whose message names the field path and what was
// expected, e.g. `messages[1].role: expected one of system, user, assistant, tool, developer`.
// Zod's own messages ("Invalid input") do not say where, and clients debug from this text.
// Shared by every ingress (OpenAI chat, Responses, Anthropic Messages): the same quality on each.
import type { z } from 'zod';
import { GatewayError } from '../../spec/errors.js';

type Issue = z.core.$ZodIssue;
type Key = PropertyKey;

/** `messages[1].role` (OpenAI's style) or `messages.1.role` (Anthropic's). */
export type PathStyle = 'brackets' | 'dots';

export function formatPath(path: readonly Key[], style: PathStyle = 'brackets'): string {
  if (style === 'dots') return path.map(String).join('.');
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function valueAt(root: unknown, path: readonly Key[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<Key, unknown>)[key];
  }
  return cur;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array' : `an array of ${v.length}`;
  if (typeof v === 'string') return v.length <= 40 ? JSON.stringify(v) : 'a string';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return `an ${typeof v}`;
}

function listValues(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
}

/** The issue that a human most likely wants to hear about, descending into union branches. */
function explain(issue: Issue, root: unknown, base: readonly Key[]): { path: readonly Key[]; text: string } {
  const path = [...base, ...issue.path];
  const got = valueAt(root, path);
  switch (issue.code) {
    case 'invalid_value':
      return {
        path,
        text: issue.values.length === 1
          ? `expected ${listValues(issue.values)}, got ${describe(got)}`
          : `expected one of ${listValues(issue.values)}, got ${describe(got)}`,
      };
    case 'invalid_type':
      return { path, text: got === undefined ? `required field missing (expected ${issue.expected})` : `expected ${issue.expected}, got ${describe(got)}` };
    case 'invalid_union': {
      // Discriminated unions report the allowed tags; the issue type does not declare them.
      const tagged = issue as typeof issue & { note?: string; options?: unknown[] };
      if (tagged.note === 'No matching discriminator' && Array.isArray(tagged.options)) {
        return { path, text: `expected one of ${listValues(tagged.options)}, got ${describe(got)}` };
      }
      // Branches that failed deeper than the union itself mean the shape matched; report that.
      for (const branch of issue.errors) {
        const deep = branch.find((i) => i.path.length > 0);
        if (deep) return explain(deep, root, path);
      }
      const expected: string[] = [];
      for (const branch of issue.errors) {
        for (const i of branch) {
          if (i.code === 'invalid_type') expected.push(i.expected);
          else if (i.code === 'invalid_value') expected.push(i.values.length === 1 ? listValues(i.values) : `one of ${listValues(i.values)}`);
        }
      }
      return { path, text: `expected ${expected.length ? [...new Set(expected)].join(' or ') : 'a different value'}, got ${describe(got)}` };
    }
    case 'too_small':
    case 'too_big':
      return { path, text: `${issue.message.replace(/^Too (small|big): /, '')}, got ${describe(got)}` };
    default:
      return { path, text: issue.message };
  }
}

export function zodToGatewayError(error: z.ZodError, root: unknown, base: readonly Key[] = [], style: PathStyle = 'brackets'): GatewayError {
  const first = error.issues[0];
  if (!first) return new GatewayError('invalid_request', 'invalid request body');
  const { path, text } = explain(first, root, base);
  const param = formatPath(path, style);
  return new GatewayError('invalid_request', param ? `${param}: ${text}` : `request body: ${text}`, param ? { param } : {});
}
