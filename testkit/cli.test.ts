import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulatorCli } from './cli.js';

test('runSimulatorCli starts on the given port, prints base URLs, and closes', async () => {
  const lines: string[] = [];
  const run = await runSimulatorCli(['--port', '0', '--quiet', '--seed=9'], (l) => lines.push(l));
  assert.ok(run);
  const { simulator, closed } = run;
  try {
    assert.match(lines[0]!, /^modelplane simulator listening on http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(lines.some((l) => l.includes(`${simulator.url}/anthropic`)));
    assert.ok(lines.some((l) => l.includes(`${simulator.url}/mistral/v1`)));
    const health = await fetch(`${simulator.url}/__sim/health`);
    assert.deepEqual(await health.json(), { ok: true });
  } finally {
    await simulator.close();
  }
  await closed;
});

test('runSimulatorCli rejects unknown options and non-loopback hosts', async () => {
  await assert.rejects(runSimulatorCli(['--bogus'], () => {}), /unknown option --bogus/);
  await assert.rejects(runSimulatorCli(['--port', '0', '--host', '0.0.0.0'], () => {}), /loopback/);
  assert.equal(await runSimulatorCli(['--help'], () => {}), undefined);
});
