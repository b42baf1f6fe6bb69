// Ingress bounds, checked on the parsed JSON body before any other work (validation,
// translation, routing). Every check is iterative or depth-capped, so a hostile body cannot make
// the checker itself overflow the stack; the first bound crossed is a 400 naming the field and
// the config key that sets the limit.

import { GatewayError } from '../../spec/errors.js';
import { DEFAULT_INGRESS_LIMITS, LIMIT_CONFIG_KEYS, type IngressLimits } from '../../spec/limits.js';

type Path = Array<string | number>;
/** A path, or a function making it: paths are built only for the error (this runs on every request). */
type LazyPath = Path | (() => Path);

const resolve = (p: LazyPath): Path => (typeof p === 'function' ? p() : p);

/** The dotted path of a field; long keys and very deep paths are cut (a message stays bounded). */
function pathText(path: Path): string {
  let s = '';
  for (const p of path) {
    const k = typeof p === 'number' ? `[${p}]` : p.length > 64 ? `${p.slice(0, 64)}…` : p;
    s += typeof p === 'number' || s === '' ? k : `.${k}`;
    if (s.length > 256) return `${s.slice(0, 256)}…`;
  }
  return s;
}

export function limitError(limit: keyof IngressLimits, path: Path, what: string, value: number): GatewayError {
  const param = pathText(path);
  const where = param === '' ? 'request body' : param;
  return new GatewayError('invalid_request', `${where}: ${what} exceeds the limit of ${value} (${LIMIT_CONFIG_KEYS[limit]})`, param === '' ? {} : { param });
}

/**
 * Walks `value` (a JSON tree) and throws when it nests deeper than `maxDepth` or holds a string
 * longer than `maxString`. Depth counts objects and arrays: `{}` is 1, `{"a": []}` is 2. The
 * recursion stops at the limit, so its own depth is bounded by `maxDepth`.
 */
export function checkTree(value: unknown, base: LazyPath, maxDepth: number, maxString: number, depthLimit: keyof IngressLimits): void {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'string' && value.length > maxString) throw limitError('maxStringLength', resolve(base), 'string length', maxString);
    return;
  }
  const stack: Path = [];
  const fail = walk(value, 0, maxDepth, maxString, stack);
  if (fail === undefined) return;
  const path = [...resolve(base), ...stack];
  if (fail === 'depth') throw limitError(depthLimit, path, 'nesting depth', maxDepth);
  throw limitError('maxStringLength', path, 'string length', maxString);
}

/** On failure, leaves the offending path in `stack` (innermost key last). */
function walk(v: unknown, depth: number, maxDepth: number, maxString: number, stack: Path): 'depth' | 'string' | undefined {
  if (typeof v === 'string') return v.length > maxString ? 'string' : undefined;
  if (typeof v !== 'object' || v === null) return undefined;
  if (depth + 1 > maxDepth) return 'depth';
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const e: unknown = v[i];
      if (typeof e !== 'object' && typeof e !== 'string') continue; // numbers, booleans: nothing to check
      const r = walk(e, depth + 1, maxDepth, maxString, stack);
      if (r !== undefined) {
        stack.unshift(i);
        return r;
      }
    }
    return undefined;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    if (k.length > maxString) {
      stack.unshift(k);
      return 'string';
    }
    const e = o[k];
    if (typeof e !== 'object' && typeof e !== 'string') continue;
    const r = walk(e, depth + 1, maxDepth, maxString, stack);
    if (r !== undefined) {
      stack.unshift(k);
      return r;
    }
  }
  return undefined;
}

/** Throws when `value` is an array longer than `max`; anything else is the schema's business. */
export function checkCount(value: unknown, path: LazyPath, max: number, limit: keyof IngressLimits, what: string): void {
  if (Array.isArray(value) && value.length > max) throw limitError(limit, resolve(path), `${value.length} ${what}`, max);
}

/** The body as a whole: depth and string sizes. Every ingress calls this first. */
export function checkBody(body: unknown, limits: IngressLimits): void {
  checkTree(body, [], limits.maxDepth, limits.maxStringLength, 'maxDepth');
}

/** One JSON schema (tool parameters, response format), against the tighter schema depth. */
export function checkSchema(schema: unknown, path: LazyPath, limits: IngressLimits): void {
  if (schema !== undefined && schema !== null) checkTree(schema, path, limits.maxSchemaDepth, limits.maxStringLength, 'maxSchemaDepth');
}

/** A list of messages (or input items) whose `content` may be an array of parts. */
export function checkMessages(messages: unknown, path: Path, limits: IngressLimits, contentKey = 'content'): void {
  checkCount(messages, path, limits.maxMessages, 'maxMessages', 'messages');
  if (!Array.isArray(messages)) return;
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    if (typeof m === 'object' && m !== null) checkCount((m as Record<string, unknown>)[contentKey], () => [...path, i, contentKey], limits.maxContentParts, 'maxContentParts', 'content parts');
  }
}

/** A list of tools; `schemaOf` finds each tool's schema, which sits at `rel` inside the tool. */
export function checkTools(tools: unknown, limits: IngressLimits, schemaOf: (tool: Record<string, unknown>) => unknown, rel: readonly string[]): void {
  checkCount(tools, ['tools'], limits.maxTools, 'maxTools', 'tools');
  if (!Array.isArray(tools)) return;
  for (let i = 0; i < tools.length; i++) {
    const t: unknown = tools[i];
    if (typeof t !== 'object' || t === null || Array.isArray(t)) continue;
    checkSchema(schemaOf(t as Record<string, unknown>), () => ['tools', i, ...rel], limits);
  }
}

/** Reads `o[k1][k2]...` through unknown JSON without throwing. */
export function dig(o: unknown, ...keys: string[]): unknown {
  let v = o;
  for (const k of keys) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

export { DEFAULT_INGRESS_LIMITS };
