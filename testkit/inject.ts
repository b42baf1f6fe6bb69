// In-process requests to a gateway, without a socket (fastify's `inject()`, through
// light-my-request): the whole request handler runs, from endpoint matching to after-hooks, so
// pipeline tests need no port and no network. Upstream calls still go wherever the config says
// (a simulator on loopback, or nowhere when a stage answers by itself).
import inject, { type InjectOptions, type Response } from 'light-my-request';
import { Writable } from 'node:stream';
import { assembleGateway, type GatewayCore, type GatewayOptions } from '../src/server/app.js';
import { createLogger } from '../src/telemetry/log.js';

export interface Injectable {
  core: GatewayCore;
  /** Parsed JSON log lines the gateway wrote (after `flushLogs`). */
  logs: Array<Record<string, unknown>>;
  inject(opts: InjectOptions): Promise<Response>;
  /** Resolves once every log line written so far has reached `logs`. */
  flushLogs(): Promise<void>;
  close(): Promise<void>;
}

export function injectable(opts: Omit<GatewayOptions, 'logger' | 'port' | 'host'>): Injectable {
  const logs: Array<Record<string, unknown>> = [];
  let partial = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const text = partial + chunk.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) logs.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const logger = createLogger('debug', stream);
  const core = assembleGateway({ env: {}, ...opts, logger });
  return {
    core,
    logs,
    inject: (o) => inject(core.handler, o),
    flushLogs: () => new Promise<void>((resolve) => logger.flush(() => setImmediate(resolve))),
    close: () => core.close(),
  };
}
