// Same-run A/B of what `strategy: auto` adds per request, in process: one gateway, one simulator,
// the same prompt sent alternately (in rounds) to a fixed-tier route and to an auto route over the
// same two deployments, with the decision recorder writing to a file-backed store. The two routes'
// requests alternate one by one; reports CPU µs per request of each (process-wide: the in-process
// simulator's share is the same for both) and their ratio, per round.
// `node dist/bench/auto-ab.js [requests-per-round] [rounds]`
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../testkit/simulator.js';
import { injectable } from '../testkit/inject.js';

const perRound = Number(process.argv[2] ?? 1500);
const rounds = Number(process.argv[3] ?? 5);
const featurizer = process.argv[4] ?? 'hashed';
const sim = await startSimulator({ port: 0 });
const dir = mkdtempSync(join(tmpdir(), 'mp-auto-ab-'));
let router = 'default';
if (featurizer === 'embedder') {
  const { spawnSync } = await import('node:child_process');
  router = join(dir, 'router.json');
  spawnSync(process.execPath, ['bin/modelplane.js', 'router', 'train', '--featurizer', 'embedder', '--data', 'data/router/train.jsonl', '--out', router]);
}
const file = join(dir, 'gateway.yaml');
writeFileSync(file, `
storage: { data_dir: ./data }
logging: { level: warn }
providers: { p: { format: openai-chat, base_url: ${sim.url}/openai/v1, api_key: k } }
deployments:
  small-a: { provider: p, model: m-small, tier: small }
  big-a: { provider: p, model: m-big, tier: frontier }
routes:
  fixed: { targets: [small-a, big-a] }
  auto: { strategy: auto, tiers: [small, frontier], auto: { threshold: 0.5, router: ${router} } }
`);
const g = injectable({ configFile: file });
const send = (model: string) => g.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model, messages: [{ role: 'user', content: 'Translate into French: "The meeting is moved to Thursday at 3pm, please confirm."' }] } });
/** CPU of one request, measured around it; requests of the two routes alternate, so residual work of the previous request (after-hooks, log flushes) falls on both alike. */
async function one(model: string): Promise<number> {
  const t0 = process.cpuUsage();
  await send(model);
  const d = process.cpuUsage(t0);
  return d.user + d.system;
}
for (let i = 0; i < 300; i++) await Promise.all([send('fixed'), send('auto')]); // warm-up
const ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  let a = 0;
  let b = 0;
  for (let i = 0; i < perRound; i++) {
    if (i % 2 === 0) {
      a += await one('fixed');
      b += await one('auto');
    } else {
      b += await one('auto');
      a += await one('fixed');
    }
  }
  a /= perRound;
  b /= perRound;
  ratios.push(b / a);
  console.log(`round ${r + 1}: fixed ${a.toFixed(0)} µs CPU/request, auto ${b.toFixed(0)} µs, ratio ${(b / a).toFixed(3)} (${b >= a ? '+' : ''}${(b - a).toFixed(0)} µs)`);
}
ratios.sort((x, y) => x - y);
console.log(`median ratio ${ratios[Math.floor(ratios.length / 2)]!.toFixed(3)} (min ${ratios[0]!.toFixed(3)}, max ${ratios.at(-1)!.toFixed(3)}), featurizer ${featurizer}`);
await g.close();
await sim.close();
