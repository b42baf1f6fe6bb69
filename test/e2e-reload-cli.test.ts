// Hot reload through a running gateway, and the CLI's check/serve commands as a user runs them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { startGateway, type Gateway } from '../src/server/app.js';
import { projectRoot } from '../testkit/fixtures.js';
import { KEY, post } from './harness.js';
import { LogSink } from '../testkit/log-sink.js';
import { HANG_GUARD_MS } from '../testkit/wait.js';

let sim: Simulator;
let dir: string;
const BIN = join(projectRoot(), 'bin', 'modelplane.js');

const config = (simUrl: string, routes: string) => `
auth: { master_key: ${KEY} }
providers:
  sim: { format: openai-chat, base_url: ${simUrl}/openai/v1, api_key: k }
deployments:
  a: { provider: sim, model: m-a }
routes:
${routes}
`;

before(async () => {
  sim = await startSimulator({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'mp-reload-'));
});
after(async () => sim.close());

test('editing the config file hot-reloads it; a broken edit is rejected and the old config keeps serving', async () => {
  const file = join(dir, 'gw.yaml');
  writeFileSync(file, config(sim.url, '  first: { targets: [a] }'));
  const log = new LogSink();
  const gw: Gateway = await startGateway({ configFile: file, watch: true, port: 0, logger: log.logger });
  try {
    const ask = (route: string) => post(`${gw.url}/v1/chat/completions`, { model: route, messages: [{ role: 'user', content: 'x' }] });
    assert.equal((await ask('first')).status, 200);
    assert.equal((await ask('second')).status, 404);
    writeFileSync(file, config(sim.url, '  first: { targets: [a] }\n  second: { targets: [a] }'));
    // The watcher may fire more than once for one edit: wait for the reload to version 2 itself.
    await log.waitFor((l) => l.msg === 'config reloaded' && l.version === 2, 'the reload to version 2');
    assert.equal((await ask('second')).status, 200, 'new route served after the edit');
    assert.equal(gw.holder.current.version, 2);
    const from = log.items.length;
    writeFileSync(file, config(sim.url, '  first: { targets: [ghost] }'));
    await log.waitFor((l) => l.msg === 'config reload rejected; the previous config keeps serving', 'the rejected reload', from);
    assert.equal((await ask('second')).status, 200, 'old snapshot still serving');
    assert.equal(gw.holder.current.version, 2);
  } finally {
    await gw.close();
  }
});

test('`modelplane check` validates without starting: exit 0 and a summary, or exit 1 naming the path', () => {
  const good = join(dir, 'good.yaml');
  writeFileSync(good, config(sim.url, '  first: { targets: [a] }'));
  const ok = spawnSync(process.execPath, [BIN, 'check', '--config', good], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /OK \(1 providers, 1 deployments, 1 routes: first\)/);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, config(sim.url, '  first: { targets: [a, nope], strategy: fastest }'));
  const no = spawnSync(process.execPath, [BIN, 'check', '--config', bad], { encoding: 'utf8' });
  assert.equal(no.status, 1);
  assert.match(no.stderr, /routes\.first\.strategy:/);
});

test('`modelplane serve --config FILE --port N` serves until SIGTERM', async () => {
  const file = join(dir, 'serve.yaml');
  writeFileSync(file, config(sim.url, '  first: { targets: [a] }'));
  const child = spawn(process.execPath, [BIN, 'serve', '--config', file, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let err = '';
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no listen line (hang guard): ${err}`)), HANG_GUARD_MS);
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /listening on (http:\/\/[^\s]+)/.exec(err);
        if (m) {
          clearTimeout(t);
          resolve(m[1]!);
        }
      });
    });
    const r = await post(`${url}/v1/chat/completions`, { model: 'first', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(r.status, 200);
    assert.equal(r.json.model, 'first');
  } finally {
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 0);
  }
});
