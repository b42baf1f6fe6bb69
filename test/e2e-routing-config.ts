// The gateway config of test/e2e-routing.test.ts (mostly a route per case). `SIM` stands for the
// simulator's URL, `DEAD` for a port nothing listens on; the test fills both in and adds `auth:`.

export const ADMIN = 'sk-e2e-admin';
export const BASE_COOLDOWN_MS = 600;

export const CONFIG = `
health: { breaker: { cooldown: ${BASE_COOLDOWN_MS}ms } }
providers:
  good:    { format: openai-chat, base_url: SIM/good/v1, api_key: sk-good }
  keys:    { format: openai-chat, base_url: SIM/keys/v1, api_keys: [sk-quota-exhausted-1, sk-good-2] }
  dead:    { format: openai-chat, base_url: DEAD/dead/v1, api_key: sk-dead }
  ra:      { format: openai-chat, base_url: SIM/ra/v1, api_key: sk-ra }
  bad:     { format: openai-chat, base_url: SIM/bad/v1, api_key: sk-bad }
  slow:    { format: openai-chat, base_url: SIM/slow/v1, api_key: sk-slow }
  llslow:  { format: openai-chat, base_url: SIM/llslow/v1, api_key: k }
  broken:  { format: openai-chat, base_url: SIM/broken/v1, api_key: k }
  cutter:  { format: openai-chat, base_url: SIM/cutter/v1, api_key: k }
  u1:      { format: openai-chat, base_url: SIM/u1/v1, api_key: k }
  u2:      { format: openai-chat, base_url: SIM/u2/v1, api_key: k }
  cool:    { format: openai-chat, base_url: SIM/cool/v1, api_key: k }
  stall:   { format: openai-chat, base_url: SIM/stall/v1, api_key: k }
deployments:
  good-a:  { provider: good, model: m-a }
  good-b:  { provider: good, model: m-b }
  keyed:   { provider: keys, model: m-k }
  dead-a:  { provider: dead, model: m-d1 }
  dead-b:  { provider: dead, model: m-d2 }
  ra-1:    { provider: ra, model: m-r1 }
  ra-2:    { provider: ra, model: m-r2 }
  bad-1:   { provider: bad, model: m-x }
  slow-h:  { provider: slow, model: m-s }
  fast-h:  { provider: good, model: m-f }
  big-d:   { provider: good, model: m-big }
  tool-d:  { provider: good, model: m-tool }
  tiny-1:  { provider: good, model: m-t1, capabilities: { context_window: 100 } }
  tiny-2:  { provider: good, model: m-t2, capabilities: { context_window: 100 } }
  wa:      { provider: good, model: m-wa }
  wb:      { provider: good, model: m-wb }
  ll-slow: { provider: llslow, model: m-ls }
  ll-fast: { provider: good, model: m-lf }
  pricey:  { provider: good, model: m-p, price: { input: 10, output: 30 } }
  cheapo:  { provider: good, model: m-c, price: { input: 0.1, output: 0.4 } }
  broken-s: { provider: broken, model: m-bs }
  cut-s:   { provider: cutter, model: m-cs }
  u1-d:    { provider: u1, model: m-u1 }
  u2-d:    { provider: u2, model: m-u2 }
  cool-d:  { provider: cool, model: m-cool }
  stall-d: { provider: stall, model: m-st, timeouts: { first_byte: 300ms } }
routes:
  keys:        { targets: [keyed] }
  via-dead-a:  { targets: [dead-a, good-a] }
  via-dead-b:  { targets: [dead-b, good-b] }
  retry-after: { targets: [ra-1], retry: { attempts_per_deployment: 2 } }
  retry-after-deadline: { targets: [ra-2], retry: { attempts_per_deployment: 2 }, deadline: 500ms }
  bad-first:   { targets: [bad-1, good-a] }
  hedged:      { targets: [slow-h, fast-h], hedge_after: 100ms }
  classy:
    targets: [good-a]
    classes:
      - { name: big, when: { header: { name: x-modelplane-class, equals: big } }, targets: [big-d] }
      - { name: tooly, when: { has_tools: true }, targets: [tool-d] }
  tiny:        { targets: [tiny-1, tiny-2] }
  canary:      { targets: [wa, wb], strategy: weighted, weights: [95, 5] }
  fastest:     { targets: [ll-slow, ll-fast], strategy: least-latency }
  cheapest:    { targets: [pricey, cheapo], strategy: cost }
  stream-fallback: { targets: [broken-s, good-a] }
  stream-cut:  { targets: [cut-s] }
  all-503:     { targets: [u1-d, u2-d] }
  cooling:     { targets: [cool-d] }
  stalled:     { targets: [stall-d, good-a] }
`;
