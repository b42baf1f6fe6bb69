// Fault selection: a per-request `x-sim-fault` header wins; otherwise the most specific scope set
// with setFault (longest matching path prefix, then `*`). A `rate` is drawn from a PRNG per
// scope, seeded from the simulator seed and the scope, so the same sequence of requests to one
// provider sees the same faults on every run, whatever happens on other providers.

import { hash32, mulberry32 } from './prng.js';
import type { Fault } from './types.js';

export class FaultSyntaxError extends Error {}

const KEYS: Record<string, keyof Fault> = {
  status: 'status',
  rate: 'rate',
  latency: 'latencyMs',
  latencyms: 'latencyMs',
  firstbyte: 'firstByteMs',
  firstbytems: 'firstByteMs',
  ttfb: 'firstByteMs',
  tokendelay: 'tokenDelayMs',
  tokendelayms: 'tokenDelayMs',
  reset: 'reset',
  cut: 'cutAfterChunks',
  cutafterchunks: 'cutAfterChunks',
  retryafter: 'retryAfter',
  'retry-after': 'retryAfter',
  hang: 'hang',
  fixture: 'fixture',
};

/** A capture path under fixtures/upstream; nothing that could leave that folder. */
function checkFixturePath(rel: string | undefined): string {
  if (rel === undefined || rel === '' || rel.startsWith('/') || rel.split('/').some((p) => p === '..' || p === '')) {
    throw new FaultSyntaxError('fault fixture must be a relative path under fixtures/upstream');
  }
  return rel;
}

/** `status=529, retryAfter=2` / `reset` / `cut=3` / `hang` (comma-separated key[=value]). */
export function parseFaultHeader(value: string): Fault {
  const fault: Fault = {};
  for (const raw of value.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = (eq === -1 ? item : item.slice(0, eq)).trim().toLowerCase();
    const val = eq === -1 ? undefined : item.slice(eq + 1).trim();
    const field = KEYS[key];
    if (field === undefined) throw new FaultSyntaxError(`unknown x-sim-fault key "${key}"`);
    if (field === 'reset' || field === 'hang') {
      fault[field] = val === undefined || val === 'true' || val === '1';
    } else if (field === 'fixture') {
      fault.fixture = checkFixturePath(val);
    } else {
      const n = Number(val);
      if (val === undefined || val === '' || !Number.isFinite(n) || n < 0) {
        throw new FaultSyntaxError(`x-sim-fault ${key} needs a non-negative number`);
      }
      fault[field] = n;
    }
  }
  return fault;
}

/** Validates a fault received over the control endpoint (JSON from another process). */
export function validateFault(value: unknown): Fault {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FaultSyntaxError('fault must be an object or null');
  }
  const out: Fault = {};
  for (const [k, v] of Object.entries(value)) {
    switch (k) {
      case 'reset':
      case 'hang':
        if (typeof v !== 'boolean') throw new FaultSyntaxError(`fault.${k} must be a boolean`);
        out[k] = v;
        break;
      case 'fixture':
        if (typeof v !== 'string') throw new FaultSyntaxError('fault.fixture must be a string');
        out.fixture = checkFixturePath(v);
        break;
      case 'status':
      case 'rate':
      case 'latencyMs':
      case 'firstByteMs':
      case 'tokenDelayMs':
      case 'cutAfterChunks':
      case 'retryAfter':
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
          throw new FaultSyntaxError(`fault.${k} must be a non-negative number`);
        }
        out[k] = v;
        break;
      default:
        throw new FaultSyntaxError(`unknown fault field "${k}"`);
    }
  }
  return out;
}

export class FaultTable {
  private readonly faults = new Map<string, Fault>();
  private readonly rngs = new Map<string, () => number>();

  constructor(private readonly seed: number) {}

  set(scope: string, fault: Fault | null): void {
    const key = normaliseScope(scope);
    if (fault === null) this.faults.delete(key);
    else this.faults.set(key, fault);
    this.rngs.delete(key);
  }

  clear(): void {
    this.faults.clear();
    this.rngs.clear();
  }

  /**
   * The fault for one request on `canonicalPath` (e.g. `/openai/v1/chat/completions`), after its
   * rate draw; undefined when none applies.
   */
  select(canonicalPath: string, header: Fault | undefined): Fault | undefined {
    if (header !== undefined) return this.draw(`header:${canonicalPath}`, header);
    if (this.faults.size === 0) return undefined;
    let best: string | undefined;
    for (const scope of this.faults.keys()) {
      if (scope === '*') continue;
      if (matches(canonicalPath, scope) && (best === undefined || scope.length > best.length)) best = scope;
    }
    if (best === undefined && this.faults.has('*')) best = '*';
    if (best === undefined) return undefined;
    return this.draw(best, this.faults.get(best)!);
  }

  private draw(key: string, fault: Fault): Fault | undefined {
    if (fault.rate === undefined || fault.rate >= 1) return fault;
    let rng = this.rngs.get(key);
    if (rng === undefined) {
      rng = mulberry32(hash32(key, this.seed));
      this.rngs.set(key, rng);
    }
    return rng() < fault.rate ? fault : undefined;
  }
}

function normaliseScope(scope: string): string {
  const s = scope.trim();
  if (s === '' || s === '*') return '*';
  const withSlash = s.startsWith('/') ? s : `/${s}`;
  return withSlash.length > 1 && withSlash.endsWith('/') ? withSlash.slice(0, -1) : withSlash;
}

/** `/openai` matches `/openai/v1/...` but not `/openai-eu/...`. */
function matches(path: string, scope: string): boolean {
  if (!path.startsWith(scope)) return false;
  const next = path.charCodeAt(scope.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 58 /* : */ || next === 63 /* ? */;
}
