// `modelplane cache stats|purge`: the response cache's admin API (docs/caching.md) from a shell,
// against a running gateway.
//   modelplane cache stats [--url U] [--admin-key K] [--group-by route|tenant|route,tenant] [--route R] [--since 1h]
//   modelplane cache purge [--url U] [--admin-key K] [--route R] [--key K | --team T | --customer C]
// The URL defaults to $MODELPLANE_URL or http://127.0.0.1:4000, the key to $MODELPLANE_ADMIN_KEY
// (then $MODELPLANE_MASTER_KEY).
import { parseArgs } from 'node:util';

const USAGE = `usage:
  modelplane cache stats [--url URL] [--admin-key KEY] [--group-by route|tenant|route,tenant] [--route R] [--since 1h]
  modelplane cache purge [--url URL] [--admin-key KEY] [--route R] [--key K | --team T | --customer C]
`;

export async function runCache(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'stats' && sub !== 'purge') {
    process.stderr.write(`modelplane cache: expected stats or purge\n${USAGE}`);
    return 2;
  }
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args: rest,
      options: { url: { type: 'string' }, 'admin-key': { type: 'string' }, 'group-by': { type: 'string' }, since: { type: 'string' }, route: { type: 'string' }, key: { type: 'string' }, team: { type: 'string' }, customer: { type: 'string' } },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`modelplane cache: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  const base = (values.url ?? env.MODELPLANE_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, '');
  const key = values['admin-key'] ?? env.MODELPLANE_ADMIN_KEY ?? env.MODELPLANE_MASTER_KEY;
  const q = new URLSearchParams();
  if (sub === 'stats' && values['group-by'] !== undefined) q.set('group_by', values['group-by']);
  if (sub === 'stats' && values.since !== undefined) q.set('since', values.since);
  for (const n of ['route', 'key', 'team', 'customer'] as const) if (values[n] !== undefined) q.set(n, values[n]);
  const qs = q.size > 0 ? `?${q}` : '';
  let res: Response;
  try {
    res = await fetch(`${base}/admin/cache${qs}`, { method: sub === 'stats' ? 'GET' : 'DELETE', headers: key ? { authorization: `Bearer ${key}` } : {} });
  } catch (e) {
    process.stderr.write(`modelplane cache: cannot reach ${base}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const text = await res.text();
  if (!res.ok) {
    process.stderr.write(`modelplane cache: ${res.status} ${text}\n`);
    return 1;
  }
  out(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  return 0;
}
