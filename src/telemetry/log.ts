// Structured logs with pino. One line per request (see gateway/chat.ts); secrets and
// prompt text never reach a log line unless `logging.log_bodies` is on.
import { pino, destination, stdTimeFunctions, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Logs to stdout through a buffered asynchronous destination: one write(2) per ~4 KiB instead of
 * one per line (the per-line write was a quarter of the gateway's CPU at concurrency 1). A timer
 * flushes at least every 250 ms, so a quiet gateway's lines still appear promptly.
 * Log lines are built field by field from known-safe values (no headers, no config objects, no
 * bodies), which is what keeps secrets and prompts out; pino's `redact` is not used because its
 * wildcard paths cost on every line.
 */
export function createLogger(level: string, stream?: DestinationStream): Logger {
  if (stream) return pino({ level, base: { service: 'modelplane' }, timestamp: stdTimeFunctions.epochTime }, stream);
  const dest = destination({ dest: 1, sync: false, minLength: 4096 });
  const timer = setInterval(() => {
    try {
      dest.flush();
    } catch {
      // not ready or already closed: the next tick or the exit flush will write it
    }
  }, 250);
  timer.unref();
  dest.on('close', () => clearInterval(timer));
  return pino({ level, base: { service: 'modelplane' }, timestamp: stdTimeFunctions.epochTime }, dest);
}
