// Reads a V8 .cpuprofile (what `node --cpu-prof` writes) and ranks functions by self time. Pure.

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  functionName: string;
  /** Repo-relative for our code (src/server/http.js), package-relative for node_modules, else as V8 names it. */
  location: string;
  area: 'src' | 'bench' | 'node_modules' | 'node' | 'vm';
  selfMs: number;
  /** Share of the busy sampled time (everything but `(idle)`). */
  pct: number;
}

export function shortLocation(url: string, line: number): { location: string; area: SelfTime['area'] } {
  const at = line >= 0 ? `:${line + 1}` : '';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return { location: url.slice(nm + '/node_modules/'.length) + at, area: 'node_modules' };
  const dist = url.lastIndexOf('/dist/');
  if (dist >= 0) {
    const rel = url.slice(dist + '/dist/'.length);
    return { location: rel + at, area: rel.startsWith('bench/') ? 'bench' : 'src' };
  }
  if (url.startsWith('node:')) return { location: url + at, area: 'node' };
  return { location: url === '' ? '(native/vm)' : url + at, area: 'vm' };
}

/**
 * Self time per function (samples landing in the function itself, not its callees), merged over
 * every node of the same function, highest first. Sample weights are V8's own time deltas.
 */
export function selfTimes(p: CpuProfile): { totalMs: number; busyMs: number; rows: SelfTime[] } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  const perNode = new Map<number, number>();
  let totalUs = 0;
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the gap before sample i; attribute the NEXT gap to sample i (time it was running).
    const d = deltas[i + 1] ?? 0;
    const id = samples[i]!;
    perNode.set(id, (perNode.get(id) ?? 0) + d);
    totalUs += d;
  }
  const merged = new Map<string, SelfTime>();
  for (const [id, us] of perNode) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const { location, area } = shortLocation(url, lineNumber);
    const name = functionName || '(anonymous)';
    const key = `${name}@${location}`;
    const row = merged.get(key) ?? { functionName: name, location, area, selfMs: 0, pct: 0 };
    row.selfMs += us / 1000;
    merged.set(key, row);
  }
  const totalMs = totalUs / 1000;
  const idleMs = [...merged.values()].filter((r) => r.functionName === '(idle)').reduce((s, r) => s + r.selfMs, 0);
  const busyMs = totalMs - idleMs;
  const rows = [...merged.values()].map((r) => ({ ...r, pct: busyMs > 0 ? (100 * r.selfMs) / busyMs : 0 }));
  rows.sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs, busyMs, rows };
}

/** Self time summed per area (our code, dependencies, Node internals, VM/GC/native); idle left out. */
export function selfTimeByArea(rows: readonly SelfTime[]): Record<SelfTime['area'], number> {
  const out: Record<SelfTime['area'], number> = { src: 0, bench: 0, node_modules: 0, node: 0, vm: 0 };
  for (const r of rows) if (r.functionName !== '(idle)') out[r.area] += r.selfMs;
  return out;
}
