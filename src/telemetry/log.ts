// Structured logs with pino. One line per request (see gateway/chat.ts); secrets and
// prompt text never reach a log line unless `logging.log_bodies` is on.
import { pino, destination, stdTimeFunctions, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Collects lines and hands them to sonic-boom in ~16 KiB batches. sonic-boom measures the UTF-8
 * length of its whole pending buffer on every write (a growing string, flattened each time), which
 * cost ~3-4 µs a line here; one write per batch makes that once per ~80 lines. sonic-boom keeps
 * doing the file descriptor work (async writes, EAGAIN retries, the synchronous flush at exit).
 */
export class LineBatcher {
  private lines: string[] = [];
  private size = 0;
  constructor(
    private readonly dest: DestinationStream & { flush?(cb?: (err?: Error) => void): void; flushSync?(): void },
    private readonly batchBytes = 16_384,
  ) {}

  write(line: string): boolean {
    this.lines.push(line);
    this.size += line.length;
    if (this.size >= this.batchBytes) this.drain();
    return true;
  }

  private drain(): void {
    if (this.lines.length === 0) return;
    const batch = this.lines.length === 1 ? this.lines[0]! : this.lines.join('');
    this.lines = [];
    this.size = 0;
    this.dest.write(batch);
  }

  /** Hands pending lines to the destination and asks it to write them out. */
  flush(cb?: (err?: Error) => void): void {
    this.drain();
    if (this.dest.flush) this.dest.flush(cb);
    else cb?.();
  }

  flushSync(): void {
    this.drain();
    this.dest.flushSync?.();
  }
}

/** Batchers whose pending lines are written synchronously when the process exits. */
const atExit = new Set<LineBatcher>();
process.once('exit', () => {
  for (const b of atExit) {
    try {
      b.flushSync();
    } catch {
      // stdout already gone: nothing left to write to
    }
  }
});

/**
 * Logs to stdout through a batching, asynchronous destination: one write(2) per ~16 KiB instead
 * of one per line (the per-line write was a quarter of the gateway's CPU at concurrency 1). A
 * timer flushes at least every 250 ms, so a quiet gateway's lines still appear promptly, and the
 * pending lines are written synchronously when the process exits.
 * Log lines are built field by field from known-safe values (no headers, no config objects, no
 * bodies), which is what keeps secrets and prompts out; pino's `redact` is not used because its
 * wildcard paths cost on every line.
 */
export function createLogger(level: string, stream?: DestinationStream): Logger {
  if (stream) return pino({ level, base: { service: 'modelplane' }, timestamp: stdTimeFunctions.epochTime }, stream);
  const dest = destination({ dest: 1, sync: false, minLength: 0 });
  const batcher = new LineBatcher(dest);
  const timer = setInterval(() => {
    try {
      batcher.flush();
    } catch {
      // not ready or already closed: the next tick or the exit flush will write it
    }
  }, 250);
  timer.unref();
  dest.on('close', () => clearInterval(timer));
  atExit.add(batcher);
  return pino({ level, base: { service: 'modelplane' }, timestamp: stdTimeFunctions.epochTime }, batcher);
}
