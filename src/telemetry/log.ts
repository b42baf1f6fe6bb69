// Structured logs with pino. One line per request (see gateway/chat.ts); secrets and
// prompt text never reach a log line unless `logging.log_bodies` is on.
import { pino, destination, stdTimeFunctions, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Bytes of log lines gathered before one write(2). docs/operations.md quotes it (test/docs.test.ts checks). */
export const LOG_BATCH_BYTES = 16_384;
/** The longest a log line waits in the batch. */
export const LOG_FLUSH_INTERVAL_MS = 250;

/**
 * Collects lines into a byte buffer and hands them to sonic-boom in ~16 KiB batches. Each line
 * is encoded once, straight into the batch; sonic-boom (in buffer mode) writes the batch as is.
 * Measured here: sonic-boom alone re-measured the UTF-8 length of its whole pending string on
 * every write (~3-4 µs a line), and a joined-string batch still cost three passes per line.
 * sonic-boom keeps doing the file descriptor work (async writes, EAGAIN retries, the synchronous
 * flush at exit).
 */
export class LineBatcher {
  private buf: Buffer;
  private pos = 0;
  constructor(
    private readonly dest: { write(b: Buffer): unknown; flush?(cb?: (err?: Error) => void): void; flushSync?(): void },
    private readonly batchBytes = LOG_BATCH_BYTES,
  ) {
    this.buf = Buffer.allocUnsafe(batchBytes * 2);
  }

  write(line: string): boolean {
    // Worst case 3 bytes per UTF-16 unit; a line that might not fit goes out first, or alone.
    if (this.pos + line.length * 3 > this.buf.length) {
      this.drain();
      if (line.length * 3 > this.buf.length) {
        this.dest.write(Buffer.from(line, 'utf8'));
        return true;
      }
    }
    this.pos += this.buf.write(line, this.pos, 'utf8');
    if (this.pos >= this.batchBytes) this.drain();
    return true;
  }

  private drain(): void {
    if (this.pos === 0) return;
    const batch = this.buf.subarray(0, this.pos);
    // The destination may still be writing this batch: the next lines go to a fresh buffer.
    this.buf = Buffer.allocUnsafe(this.buf.length);
    this.pos = 0;
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
  const dest = destination({ dest: 1, sync: false, minLength: 0, contentMode: 'buffer' });
  const batcher = new LineBatcher(dest as unknown as { write(b: Buffer): unknown; flush?(cb?: (err?: Error) => void): void; flushSync?(): void });
  const timer = setInterval(() => {
    try {
      batcher.flush();
    } catch {
      // not ready or already closed: the next tick or the exit flush will write it
    }
  }, LOG_FLUSH_INTERVAL_MS);
  timer.unref();
  dest.on('close', () => clearInterval(timer));
  atExit.add(batcher);
  return pino({ level, base: { service: 'modelplane' }, timestamp: stdTimeFunctions.epochTime }, batcher);
}
