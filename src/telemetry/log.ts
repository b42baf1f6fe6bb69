// Structured logs with pino. One line per request (see gateway/chat.ts); secrets and
// prompt text never reach a log line unless `logging.log_bodies` is on.
import { pino, destination, stdTimeFunctions, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export function createLogger(level: string, stream?: DestinationStream): Logger {
  const dest = stream ?? destination({ dest: 1, sync: false });
  return pino(
    {
      level,
      base: { service: 'modelplane' },
      timestamp: stdTimeFunctions.isoTime,
      // Belt and braces: even if a caller logs headers or config, keys never appear.
      redact: {
        paths: ['authorization', 'headers.authorization', '*.authorization', 'api_key', '*.api_key', 'apiKey', '*.apiKey', 'x-api-key', '*["x-api-key"]'],
        censor: '[redacted]',
      },
    },
    dest,
  );
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
