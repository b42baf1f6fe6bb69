// The instance registry: each gateway process writes a heartbeat key to Redis every second
// (`<prefix>instance:<id>`, expiring after a few missed beats), so `GET /admin/cluster` lists the
// live instances with their version and config hash, and flags one whose config differs from
// the majority (a half-finished rollout, a pod with a stale ConfigMap).
import type { Redis } from 'ioredis';

export interface InstanceInfo {
  id: string;
  version: string;
  configHash: string;
  pid: number;
  startedAt: number;
  lastHeartbeat: number;
  /** Records waiting in this instance's ledger spool. */
  spool: number;
}

export interface RegistryOptions {
  redis: Redis;
  prefix: string;
  id: string;
  version: string;
  configHash: () => string;
  spool: () => number;
  intervalMs?: number;
  now?: () => number;
}

export const HEARTBEAT_MS = 1_000;
/** A key outlives this many missed beats. */
const MISSED_BEATS = 5;

export class InstanceRegistry {
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt: number;
  private readonly now: () => number;

  constructor(private readonly opts: RegistryOptions) {
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
  }

  start(): void {
    const beat = () => void this.beat().catch(() => {});
    beat();
    this.timer = setInterval(beat, this.opts.intervalMs ?? HEARTBEAT_MS);
    this.timer.unref();
  }

  async beat(): Promise<void> {
    const info: InstanceInfo = {
      id: this.opts.id,
      version: this.opts.version,
      configHash: this.opts.configHash(),
      pid: process.pid,
      startedAt: this.startedAt,
      lastHeartbeat: this.now(),
      spool: this.opts.spool(),
    };
    await this.opts.redis.set(this.key(this.opts.id), JSON.stringify(info), 'PX', (this.opts.intervalMs ?? HEARTBEAT_MS) * MISSED_BEATS);
  }

  /** Every instance with a live heartbeat, and whether its config hash is the majority's. */
  async list(): Promise<Array<InstanceInfo & { configMismatch: boolean; self: boolean }>> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.opts.redis.scan(cursor, 'MATCH', `${this.opts.prefix}instance:*`, 'COUNT', 200);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const values = keys.length ? await this.opts.redis.mget(...keys) : [];
    const instances = values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as InstanceInfo);
    const counts = new Map<string, number>();
    for (const i of instances) counts.set(i.configHash, (counts.get(i.configHash) ?? 0) + 1);
    const majority = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    return instances
      .sort((a, b) => a.startedAt - b.startedAt)
      .map((i) => ({ ...i, configMismatch: counts.size > 1 && i.configHash !== majority, self: i.id === this.opts.id }));
  }

  /** Removes this instance's key (a clean shutdown leaves the list at once). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.opts.redis.del(this.key(this.opts.id)).catch(() => 0);
  }

  private key(id: string): string {
    return `${this.opts.prefix}instance:${id}`;
  }
}
