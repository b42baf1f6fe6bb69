// Issue 15 §6: SIGTERM under load. `modelplane serve` in a child process, twenty requests in
// flight (streams mid-way and slow buffered answers) plus an idle keep-alive connection. After
// SIGTERM: no new connection is accepted, the idle connection is closed, every in-flight
// response completes whole, each of their connections is closed after it, and the process
// exits 0 reporting nothing cut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request, Agent } from 'node:http';
import { connect } from 'node:net';
import { startSimulator } from '../testkit/simulator.js';

const BIN = fileURLToPath(new URL('../../bin/modelplane.js', import.meta.url));

interface Answer {
  status: number;
  body: string;
  /** The connection closed after the response (the server ended it). */
  socketClosed: Promise<void>;
}

/** Starts a request; `started` resolves at its first body byte, `done` with the whole answer. */
function inFlight(url: URL, agent: Agent, stream: boolean) {
  let started!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  const done = new Promise<Answer>((resolve, reject) => {
    const body = JSON.stringify({ model: stream ? 'streamy' : 'slow', stream, messages: [{ role: 'user', content: 'tell me a long story about gateways' }] });
    const req = request({ host: url.hostname, port: url.port, path: '/v1/chat/completions', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      const socketClosed = new Promise<void>((r) => res.socket.once('close', () => r()));
      if (!stream) started(); // a buffered answer is in flight from the moment it was sent
      res.on('data', (d: Buffer) => {
        text += d.toString();
        started();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, socketClosed }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (!stream) req.on('finish', () => started());
    req.end(body);
  });
  return { started: startedP, done };
}

test('SIGTERM under load cuts no in-flight response, refuses new connections and closes keep-alives', async (t) => {
  const sim = await startSimulator({ port: 0, replyWords: 30 });
  // Longer than the 2 s after which a plain close() cuts connections: only the drain lets them finish.
  sim.setFault('/streamy', { tokenDelayMs: 100 });
  sim.setFault('/slow', { latencyMs: 2500 });
  const dir = mkdtempSync(join(tmpdir(), 'mp-shutdown-'));
  t.after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const configFile = join(dir, 'gateway.yaml');
  writeFileSync(configFile, `
server: { port: 0, shutdown_grace: 60s }
logging: { level: warn }
providers:
  streamy: { format: openai-chat, base_url: ${sim.url}/streamy/v1, api_key: sk-a }
  slow:    { format: openai-chat, base_url: ${sim.url}/slow/v1, api_key: sk-b }
deployments:
  s: { provider: streamy, model: up-model-1 }
  b: { provider: slow, model: up-model-2 }
routes:
  streamy: { targets: [s] }
  slow:    { targets: [b] }
`);
  const child = spawn(process.execPath, [BIN, 'serve', '--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve) => {
      const check = () => {
        const m = re.exec(stderr);
        if (m) resolve(m);
        else waiters.push(check);
      };
      check();
    });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const url = new URL((await waitFor(/listening on (http:\/\/[^\s]+)/))[1]!);

  // An idle keep-alive connection: one complete exchange, then the socket stays open.
  const idle = connect(Number(url.port), url.hostname);
  const idleClosed = new Promise<void>((r) => idle.once('close', () => r()));
  idle.on('error', () => {});
  const firstAnswer = new Promise<void>((r) => idle.once('data', () => r()));
  idle.write(`GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: keep-alive\r\n\r\n`);
  await firstAnswer;

  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  t.after(() => agent.destroy());
  const load = [...Array.from({ length: 12 }, () => inFlight(url, agent, true)), ...Array.from({ length: 8 }, () => inFlight(url, agent, false))];
  await Promise.all(load.map((l) => l.started));
  // In flight means the gateway has them: every one has reached the upstream. (A request still in
  // the kernel's buffers when the drain starts is on a connection Node sees as idle.)
  while (sim.requests.filter((r) => r.path.endsWith('/chat/completions')).length < load.length) await new Promise((r) => setTimeout(r, 5));

  child.kill('SIGTERM');
  await waitFor(/shutting down/);

  // New connections are refused from now on.
  const refused = await new Promise<string>((resolve) => {
    const s = connect(Number(url.port), url.hostname);
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
  assert.equal(refused, 'ECONNREFUSED');
  await idleClosed; // the idle keep-alive connection was closed by the server

  const answers = await Promise.all(load.map((l) => l.done));
  for (const [i, a] of answers.entries()) {
    assert.equal(a.status, 200, `request ${i}`);
    if (i < 12) {
      assert.match(a.body, /"finish_reason":"stop"/, `stream ${i} finished`);
      assert.match(a.body, /data: \[DONE\]\n\n$/, `stream ${i} complete`);
    } else {
      const json = JSON.parse(a.body) as { choices: Array<{ finish_reason: string }> };
      assert.equal(json.choices[0]!.finish_reason, 'stop', `answer ${i} complete`);
    }
    await a.socketClosed; // and its keep-alive connection was closed after it
  }
  assert.equal(await exited, 0);
  const stopped = await waitFor(/stopped \((\d+) finished, (\d+) cut\)/);
  assert.equal(Number(stopped[2]), 0, 'nothing cut');
  assert.equal(Number(stopped[1]), 20, 'all twenty finished');
});
