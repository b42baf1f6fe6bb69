// Turns a zod failure into one readable "path: message" line. Zod reports a failed union as a
// bare "Invalid input" at the union's path; the useful detail sits in one of its branches, so we
// descend into the branch that got furthest (the one that matched the shape best).
import type { z } from 'zod';
import { GatewayError } from '../../spec/index.js';

type Issue = z.core.$ZodIssue;

interface Found {
  path: PropertyKey[];
  message: string;
}

function deepest(issue: Issue, prefix: PropertyKey[]): Found {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    let best: Found | undefined;
    for (const branch of issue.errors) {
      const first = branch[0];
      if (first === undefined) continue;
      const found = deepest(first, path);
      if (best === undefined || found.path.length > best.path.length) best = found;
    }
    // Every branch failed at the union itself: the value has the wrong type altogether.
    if (best !== undefined && best.path.length > path.length) return best;
    const expected = issue.errors
      .map((b) => b[0])
      .filter((i): i is Issue => i !== undefined && i.code === 'invalid_type')
      .map((i) => (i.code === 'invalid_type' ? i.expected : ''));
    if (expected.length > 0) return { path, message: `expected ${expected.join(' or ')}` };
  }
  if (issue.code === 'invalid_union' && issue.errors.length === 0 && 'options' in issue) {
    const options = (issue as { options?: unknown[] }).options ?? [];
    return { path, message: `must be one of ${options.map((o) => `'${String(o)}'`).join(', ')}` };
  }
  return { path, message: issue.message };
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** Throws GatewayError('invalid_request') naming the first failing field. */
export function throwZodError(error: z.ZodError): never {
  const first = error.issues[0];
  if (first === undefined) throw new GatewayError('invalid_request', 'invalid request body');
  const found = deepest(first, []);
  const param = formatPath(found.path);
  const message = param === '' ? `request body: ${found.message}` : `${param}: ${found.message}`;
  throw new GatewayError('invalid_request', message, param === '' ? {} : { param });
}
