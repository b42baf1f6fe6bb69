// E2E harness: the simulated providers + a real gateway on loopback, with captured log lines
// that a test awaits (`h.log.requestLine(id)`) rather than sleeping for.
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { startGateway, type Gateway } from '../src/server/app.js';
import { LogSink } from '../testkit/log-sink.js';

export const KEY = 'sk-e2e-master';

export interface Harness {
  sim: Simulator;
  gw: Gateway;
  /** Base URL of the gateway, e.g. http://127.0.0.1:PORT */
  url: string;
  /** Parsed JSON log lines the gateway wrote (the same array as `log.items`). */
  logs: Array<Record<string, unknown>>;
  /** The gateway's log, awaitable: `await h.log.requestLine(res.headers.get('x-request-id'))`. */
  log: LogSink;
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

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const sim = await startSimulator({ port: 0 });
  const log = new LogSink();
  const text = `auth: { master_key: ${KEY}, admin_key: ${KEY} }\n${opts.extra ?? ''}\n${opts.config.replaceAll('SIM', sim.url)}`;
  const gw = await startGateway({ configText: text, port: 0, logger: log.logger, env: opts.env ?? {} });
  return {
    sim,
    gw,
    url: gw.url,
    logs: log.items,
    log,
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

/**
 * A logger whose parsed lines are pushed into `lines` (for tests that read the array after an
 * awaited event); prefer a LogSink to wait for a particular line.
 */
export function captureLogger(lines: Array<Record<string, unknown>>) {
  const sink = new LogSink();
  const push = sink.push.bind(sink);
  sink.push = (l) => {
    lines.push(l);
    push(l);
  };
  return sink.logger;
}
