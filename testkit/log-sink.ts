// A gateway logger whose JSON lines a test can read and await: `await sink.requestLine(id)`
// resolves when the request line of that request id has been written, however late the gateway
// writes it (after the response has left), instead of sleeping and hoping it has.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../src/telemetry/log.js';
import { EventLog } from './wait.js';

export type LogLine = Record<string, unknown>;

export class LogSink extends EventLog<LogLine> {
  readonly logger: Logger;

  constructor(level = 'debug') {
    super();
    // A line may arrive split across writes or several in one: buffer up to each newline.
    let pending = '';
    const stream = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        pending += chunk.toString('utf8');
        let nl: number;
        while ((nl = pending.indexOf('\n')) !== -1) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line.trim() !== '') this.push(JSON.parse(line) as LogLine);
        }
        cb();
      },
    });
    this.logger = createLogger(level, stream);
  }

  /** The lines with msg 'request' (one per request the gateway served). */
  requestLines(): LogLine[] {
    return this.items.filter((l) => l.msg === 'request');
  }

  /** The request line of `requestId` (the response's x-request-id), once written. */
  requestLine(requestId: string | null | undefined): Promise<LogLine> {
    if (!requestId) return Promise.reject(new Error('no request id: the response had no x-request-id header'));
    return this.waitFor((l) => l.msg === 'request' && l.request_id === requestId, `the request line of ${requestId}`);
  }

  /** A `health state changed` line for `id` (provider, deployment or key) moving to `to`, among
   * the lines from index `from` on (default: all). */
  healthChange(id: string, to: string, from = 0): Promise<LogLine> {
    return this.waitFor(
      (l) => {
        const h = l.health as { id?: string; to?: string } | undefined;
        return l.msg === 'health state changed' && h?.id === id && h.to === to;
      },
      `health of ${id} -> ${to}`,
      from,
    );
  }
}
