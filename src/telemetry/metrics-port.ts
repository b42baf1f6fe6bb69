// `telemetry.metrics.port`: /metrics on a listener of its own, so a scraper can reach it on a
// private interface while the data plane's port stays public. Same document and the same
// `telemetry.metrics.auth` rule as `GET /metrics` on the main port; nothing else is served.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Snapshot } from '../config/snapshot.js';
import { openaiChat } from '../formats/index.js';
import { keyMatches, presentedKey } from '../server/auth.js';
import { GatewayError } from '../spec/errors.js';
import type { Logger } from './log.js';

export interface MetricsPortOptions {
  port: number;
  host: string;
  /** The snapshot serving now (auth and the breaker view follow reloads). */
  current: () => Snapshot;
  scrape: (snapshot: Snapshot) => Promise<{ contentType: string; body: string }>;
  log?: Logger;
}

export interface MetricsPort {
  /** The bound port, once listening. */
  readonly listening: Promise<number>;
  close(): Promise<void>;
}

function refuse(res: ServerResponse, err: GatewayError): void {
  const r = openaiChat.encodeError(err);
  const body = JSON.stringify(r.body);
  res.writeHead(r.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function authorised(req: IncomingMessage, s: Snapshot): GatewayError | undefined {
  if (s.telemetry.metrics.auth === 'none') return undefined;
  const expected = s.auth.adminKey;
  if (expected === undefined) return new GatewayError('forbidden', 'metrics want the admin key, and none is configured');
  const key = presentedKey(req.headers);
  if (key === undefined || !keyMatches(key, expected)) return new GatewayError('unauthorized', 'Send `Authorization: Bearer <admin key>`.');
  return undefined;
}

export function serveMetricsPort(o: MetricsPortOptions): MetricsPort {
  const server = createServer((req, res) => {
    req.resume();
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') return refuse(res, new GatewayError('not_found', 'this port serves GET /metrics only'));
    const s = o.current();
    if (!s.telemetry.metrics.enabled) return refuse(res, new GatewayError('not_found', 'metrics are off: telemetry.metrics.enabled is false'));
    const denied = authorised(req, s);
    if (denied) return refuse(res, denied);
    o.scrape(s).then(
      (m) => {
        res.writeHead(200, { 'content-type': m.contentType, 'content-length': Buffer.byteLength(m.body), 'cache-control': 'no-store' });
        res.end(m.body);
      },
      (err: unknown) => {
        o.log?.error({ err: String(err) }, 'metrics scrape failed');
        refuse(res, new GatewayError('internal_error', 'internal error'));
      },
    );
  });
  const listening = new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve((server.address() as AddressInfo).port));
  });
  listening.catch((err: unknown) => o.log?.error({ err: String(err), port: o.port, host: o.host }, 'the metrics port could not be opened; /metrics on the main port still works'));
  return {
    listening,
    close: () =>
      new Promise<void>((r) => {
        if (!server.listening) return r();
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
