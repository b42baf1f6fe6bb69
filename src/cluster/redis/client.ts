// One ioredis connection configured for the hot path: commands fail at once while the
// connection is down (no offline queue: a request must not wait for a reconnect, the
// unavailable policy answers instead), reconnects forever in the background (recovery needs no
// restart), and auto-pipelining so the commands of concurrent requests share one write.

import { Redis } from 'ioredis';
import { ADMISSION_SCRIPTS } from './scripts.js';

export type Arg = string | number;

/** A connection with the admission scripts defined (EVALSHA once loaded). */
export interface ScriptedRedis extends Redis {
  mpAdmit(...args: Arg[]): Promise<unknown[]>;
  mpSettle(...args: Arg[]): Promise<unknown[]>;
  mpRenew(...args: Arg[]): Promise<[number, number]>;
  mpSeed(...args: Arg[]): Promise<number>;
  mpCharge(...args: Arg[]): Promise<number>;
}

export interface RedisClientOptions {
  /** Name shown in CLIENT LIST (helps reading INFO on a shared server). */
  name?: string;
  /** A subscriber connection queues nothing either, but carries no scripts. */
  subscriber?: boolean;
}

export function createRedis(url: string, opts: RedisClientOptions = {}): ScriptedRedis {
  const r = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: !opts.subscriber,
    // A subscriber re-subscribes itself on 'ready' (src/cluster/redis/notices.ts).
    autoResubscribe: !opts.subscriber,
    // Reconnect forever, at most a second apart.
    retryStrategy: (times) => Math.min(times * 100, 1000),
    ...(opts.name !== undefined ? { connectionName: opts.name } : {}),
  });
  // Connection errors surface through the unavailable policy and its metric; an unhandled
  // 'error' event would crash the process.
  r.on('error', () => {});
  if (!opts.subscriber) for (const [name, lua] of Object.entries(ADMISSION_SCRIPTS)) r.defineCommand(name, { numberOfKeys: 0, lua });
  return r as ScriptedRedis;
}

/** Resolves once the connection is ready (commands fail before that: no offline queue). */
export function ready(r: Redis): Promise<void> {
  if (r.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const ok = () => {
      r.off('end', end);
      resolve();
    };
    const end = () => {
      r.off('ready', ok);
      reject(new Error('redis connection ended before it was ready'));
    };
    r.once('ready', ok);
    r.once('end', end);
  });
}
