// Redis commands per request, for `bench --cluster`: INFO commandstats before and after a run,
// differenced. Scripts count as one command each (EVALSHA, or EVAL the first time a server sees
// one); what they run inside shows up as its own commands (`calls` of hgetall, hincrby...) and
// is reported apart, so "round trips" (commands a client sent) and "work" (commands Redis ran)
// are not confused.

import type { Redis } from 'ioredis';

export type CommandCounts = Map<string, number>;

/** `cmdstat_evalsha:calls=12,usec=...` lines -> command -> calls. */
export function parseCommandStats(info: string): CommandCounts {
  const out: CommandCounts = new Map();
  for (const line of info.split(/\r?\n/)) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (m) out.set(m[1]!.toLowerCase(), Number(m[2]));
  }
  return out;
}

export async function commandStats(redis: Redis): Promise<CommandCounts> {
  return parseCommandStats(await redis.info('commandstats'));
}

/** Commands a client sends itself (each a network round trip unless pipelined together). */
const SENT = new Set(['evalsha', 'eval', 'get', 'set', 'mget', 'publish', 'hset', 'hgetall', 'lpop', 'multi', 'exec', 'ping', 'info', 'scan', 'subscribe', 'client', 'keys']);

export interface PerRequest {
  /** Admission/settlement scripts per request (EVALSHA + EVAL). */
  scripts: number;
  /** Every command the clients sent, per request (includes background renewals, heartbeats). */
  sent: number;
  /** Every command Redis executed, script internals included, per request. */
  executed: number;
  byCommand: Record<string, number>;
}

/** The difference of two snapshots, divided by the requests served between them. */
export function perRequest(before: CommandCounts, after: CommandCounts, requests: number): PerRequest {
  const delta: Record<string, number> = {};
  let sent = 0;
  let executed = 0;
  for (const [cmd, n] of after) {
    const d = n - (before.get(cmd) ?? 0);
    if (d <= 0 || cmd === 'info') continue;
    delta[cmd] = d / requests;
    executed += d;
    if (SENT.has(cmd)) sent += d;
  }
  const scripts = ((delta.evalsha ?? 0) + (delta.eval ?? 0));
  return { scripts, sent: sent / requests, executed: executed / requests, byCommand: delta };
}
