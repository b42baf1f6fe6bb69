// Feature variants of the modelplane target: the same gateway and mock with one capability
// switched on, measured in the same run as `modelplane` (the feature off) so each feature states
// its cost as a paired ratio (`npm run bench -- --features auto,...`). A variant adds config
// lines and may name its own route and request headers; everything else stays identical.

export interface FeatureVariant {
  /** What is switched on, for the report. */
  describe: string;
  /** Extra top-level YAML lines (sections the base config does not have). */
  top?: string[];
  /** Extra entries under `deployments:` (two-space indented lines). */
  deployments?: string[];
  /** Extra entries under `routes:`. */
  routes?: string[];
  /** The route the variant's requests name (default: the base route). */
  route?: string;
  headers?: Record<string, string>;
}

export const FEATURES: Record<string, FeatureVariant> = {
  lean: {
    describe: 'metrics and the spend ledger off (the lifecycle with no per-request extension work: what issue 8 compares with the figures before the seam)',
    top: ['telemetry: { metrics: { enabled: false } }', 'ledger: { enabled: false }'],
  },
  'metrics-off': {
    describe: 'telemetry.metrics.enabled: false (metrics and the dashboard window are on by default: this ratio is the inverse of their cost)',
    top: ['telemetry: { metrics: { enabled: false } }'],
  },
  'a-a': {
    describe: 'nothing switched: the same config as modelplane (an A/A control; its ratio is the method\'s own bias and spread)',
  },
  shadow10: {
    describe: '10% of the route mirrored in shadow to a second deployment of the same mock',
    deployments: ['  b: { provider: mock, model: bench-model }'],
    routes: ['  bench-shadow: { targets: [a], shadow: { targets: [b], sample: 0.1 } }'],
    route: 'bench-shadow',
  },
  capture10: {
    describe: '10% of the route body-captured (redacted, written behind into the embedded store) for eval capture',
    routes: ['  bench-capture: { targets: [a], capture: { sample: 0.1 } }'],
    route: 'bench-capture',
  },
  auto: {
    describe: 'strategy: auto over two tiers of the same mock (router scoring + tier plan)',
    deployments: ['  t-small: { provider: mock, model: bench-model, tier: small }', '  t-big: { provider: mock, model: bench-model, tier: frontier }'],
    routes: ['  bench-auto: { strategy: auto, tiers: [small, frontier], auto: { threshold: 0.5 } }'],
    route: 'bench-auto',
  },
  tenants: {
    describe: 'a virtual key with a budget and two rate limits, attribution headers, the spend ledger (docs/tenants.md)',
    // Far above what a run sends: the key pays for the checks, never a refusal.
    top: ['keys:', `  bench-key: { key: mp-${'b'.repeat(32)}, agent: bench-agent, budget: { usd: 1000000, period: month }, limits: { rpm: 100000000, tpm: 100000000000 } }`],
    headers: { authorization: `Bearer mp-${'b'.repeat(32)}`, 'x-modelplane-workflow': 'bench', 'x-modelplane-customer': 'bench-customer' },
  },
  'x-key': {
    describe: 'bisect: key only',
    top: ['keys:', `  bench-key: { key: mp-${'b'.repeat(32)} }`],
    headers: { authorization: `Bearer mp-${'b'.repeat(32)}` },
  },
  'x-hdr': {
    describe: 'bisect: attribution headers with master key',
    headers: { 'x-modelplane-workflow': 'bench', 'x-modelplane-customer': 'bench-customer' },
  },
  'x-budget': {
    describe: 'bisect: key with budget',
    top: ['keys:', `  bench-key: { key: mp-${'b'.repeat(32)}, budget: { usd: 1000000, period: month } }`],
    headers: { authorization: `Bearer mp-${'b'.repeat(32)}` },
  },
  'x-limits': {
    describe: 'bisect: key with limits',
    top: ['keys:', `  bench-key: { key: mp-${'b'.repeat(32)}, limits: { rpm: 100000000, tpm: 100000000000 } }`],
    headers: { authorization: `Bearer mp-${'b'.repeat(32)}` },
  },
  cache: {
    describe: 'an exact-cached route: every request after the first is a hit (nothing goes upstream)',
    routes: ['  bench-cache: { targets: [a], cache: { mode: exact, ttl: 1h } }'],
    route: 'bench-cache',
  },
};

export function parseFeatures(list: string | undefined): string[] {
  if (list === undefined || list === '') return [];
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!(n in FEATURES)) throw new Error(`--features: unknown feature "${n}" (known: ${Object.keys(FEATURES).join(', ')})`);
  return names;
}
