import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadSnapshotFromText } from './load.js';

const config = (routes: string, extra = ''): string => `
providers: { p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none } }
deployments:
  d: { provider: p, model: m }
  e: { provider: p, model: m, capabilities: { embeddings: true } }
routes:
${routes}
${extra}
`;

function problems(text: string): string[] {
  try {
    loadSnapshotFromText(text, { env: {} });
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  assert.fail('expected a ConfigError');
}

test('route cache policies compile with defaults; off and absent mean not cached', () => {
  const s = loadSnapshotFromText(
    config(`
  support: { targets: [d], cache: { mode: semantic, ttl: 24h, threshold: 0.9, scope: team } }
  codegen: { targets: [d], cache: { mode: exact, ttl: 7d } }
  bare:    { targets: [d], cache: {} }
  off:     { targets: [d], cache: { mode: off } }
  plain:   { targets: [d] }
`, 'cache: { max_bytes: 64mb }'),
    { env: {} },
  );
  assert.deepEqual(s.routes.get('support')!.cache, { mode: 'semantic', ttlMs: 86_400_000, threshold: 0.9, scope: 'team', embed: 'last_user', maxTemperature: 1, allowN: false, allowLogprobs: false, audit: 0 });
  assert.equal(s.routes.get('codegen')!.cache!.ttlMs, 7 * 86_400_000);
  assert.equal(s.routes.get('bare')!.cache!.mode, 'exact', 'a cache block without a mode is exact');
  assert.equal(s.routes.get('bare')!.cache!.scope, 'key', 'the default scope is the narrowest');
  assert.equal(s.routes.get('off')!.cache, undefined);
  assert.equal(s.routes.get('plain')!.cache, undefined);
  assert.deepEqual(s.cache, { embedder: 'local', maxBytes: 64 * 1024 * 1024, maxEntryBytes: 8 * 1024 * 1024, persist: false, driftBand: 0.15 });
});

test('bad cache settings name their path', () => {
  const p = problems(config(`  r: { targets: [d], cache: { mode: fuzzy, threshold: 2, scope: everyone, ttl: 3w } }`));
  for (const path of ['routes.r.cache.mode', 'routes.r.cache.threshold', 'routes.r.cache.scope', 'routes.r.cache.ttl']) assert.ok(p.some((x) => x.includes(path)), `${path} in ${p.join('; ')}`);
  assert.ok(problems(config('  r: { targets: [d] }', 'cache: { embedder: nowhere }')).some((x) => x.includes('cache.embedder')));
  assert.ok(problems(config('  r: { targets: [d] }', 'cache: { embedder: r }')).some((x) => x.includes('not an embeddings route')));
  assert.ok(problems(config('  r: { targets: [d] }', 'cache: { max_bytes: 1mb, max_entry_bytes: 2mb }')).some((x) => x.includes('max_entry_bytes')));
});

test('an embeddings route may be the embedder', () => {
  const s = loadSnapshotFromText(config('  r: { targets: [d] }\n  emb: { targets: [e] }', 'cache: { embedder: emb }'), { env: {} });
  assert.equal(s.cache.embedder, 'emb');
});

test('threshold: auto starts at the shipped threshold, bounds the error (default 1%), and audits 5% unless told', () => {
  const s = loadSnapshotFromText(config(`
  a: { targets: [d], cache: { mode: semantic, threshold: auto } }
  b: { targets: [d], cache: { mode: semantic, threshold: auto, max_error: 0.05, audit: 0.2 } }
`), { env: {} });
  const a = s.routes.get('a')!.cache!;
  assert.deepEqual([a.threshold, a.maxError, a.audit], [0.75, 0.01, 0.05]);
  const b = s.routes.get('b')!.cache!;
  assert.deepEqual([b.maxError, b.audit], [0.05, 0.2]);
  assert.ok(problems(config('  r: { targets: [d], cache: { mode: semantic, threshold: 0.8, max_error: 0.01 } }')).some((x) => x.includes('routes.r.cache.max_error: only with threshold: auto')));
  assert.ok(problems(config('  r: { targets: [d], cache: { threshold: sometimes } }')).some((x) => x.includes('routes.r.cache.threshold')));
});
