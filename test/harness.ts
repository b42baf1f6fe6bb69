// E2E harness: the simulated providers + a real gateway on loopback, with captured log lines.
import { Writable } from 'node:stream';
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { startGateway, type Gateway } from '../src/server/app.js';
import { createLogger } from '../src/telemetry/log.js';

export const KEY = 'sk-e2e-master';

export interface Harness {
  sim: Simulator;
  gw: Gateway;
  /** Base URL of the gateway, e.g. http://127.0.0.1:PORT */
  url: string;
  /** Parsed JSON log lines the gateway wrote. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** YAML for providers/deployments/routes; `SIM` is replaced by the simulator URL. */
  config: string;
  /** Extra top-level YAML (server, logging...). */
  extra?: string;
  env?: NodeJS.ProcessEnv;
  configFile?: string;
}

export function captureLogger(lines: Array<Record<string, unknown>>) {
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return createLogger('debug', stream);
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const sim = await startSimulator({ port: 0 });
  const logs: Array<Record<string, unknown>> = [];
  const text = `auth: { master_key: ${KEY} }\n${opts.extra ?? ''}\n${opts.config.replaceAll('SIM', sim.url)}`;
  const gw = await startGateway({ configText: text, port: 0, logger: captureLogger(logs), env: opts.env ?? {} });
  return {
    sim,
    gw,
    url: gw.url,
    logs,
    async close() {
      await gw.close();
      await sim.close();
    },
  };
}

/** Lines with msg 'request' (one per request the gateway served). */
export function requestLogs(h: Harness): Array<Record<string, unknown>> {
  return h.logs.filter((l) => l.msg === 'request');
}

/** Waits for pino's async writes to reach the capture stream. */
export function settle(ms = 20): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string; json: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}
