// Breaker state shared through Redis: a breaker that opens (or a trial that closes it) on one
// instance is published and applied by every other within a pub/sub hop, without a Redis call
// on the request path (each instance keeps deciding from its own HealthRegistry). The latest
// state of each breaker is also kept in a hash, so an instance that starts, or reconnects after
// missing notices, catches up. Redis down: every instance keeps its local breakers.
//
// Cooldowns travel as time remaining, not as a timestamp: instances' clocks may disagree.

import type { HealthLevel, HealthRegistry } from '../../routing/health.js';
import type { ScriptedRedis } from './client.js';
import type { RedisNotices } from './notices.js';

const CHANNEL = 'breakers';

interface Notice {
  /** The instance that decided it. */
  o: string;
  l: HealthLevel;
  id: string;
  /** Open: ms of cooldown left when published, reason, hard. Absent: closed. */
  open?: { ms: number; reason: string; hard: boolean };
  /** Publication time (ms, publisher's clock) for the stored copy's age. */
  at: number;
}

export interface BreakerSharing {
  close(): void;
}

export function shareBreakers(health: HealthRegistry, redis: ScriptedRedis, notices: RedisNotices, opts: { prefix: string; instance: string; now?: () => number }): BreakerSharing {
  const now = opts.now ?? Date.now;
  const hash = `${opts.prefix}${CHANNEL}`;
  const apply = (raw: string) => {
    let n: Notice;
    try {
      n = JSON.parse(raw) as Notice;
    } catch {
      return;
    }
    if (n.o === opts.instance) return;
    const t = now();
    health.applyShared(n.l, n.id, n.open ? { until: t + n.open.ms, reason: `${n.open.reason} (on another instance)`, hard: n.open.hard } : undefined, t);
  };
  const catchUp = () => {
    void redis
      .hgetall(hash)
      .then((all) => {
        const t = now();
        for (const raw of Object.values(all)) {
          const n = JSON.parse(raw) as Notice;
          // A stored opening whose cooldown has run out says nothing any more.
          if (n.open && n.at + n.open.ms > t) apply(JSON.stringify({ ...n, open: { ...n.open, ms: n.at + n.open.ms - t } }));
        }
      })
      .catch(() => {});
  };
  notices.on(CHANNEL, apply, catchUp);
  const unsubscribe = health.onChange((c) => {
    // Only this instance's own verdicts travel; rate entries (credential@deployment) stay local.
    if (c.shared || (c.to !== 'open' && c.to !== 'closed') || c.id.includes('@')) return;
    const t = now();
    const n: Notice = { o: opts.instance, l: c.level, id: c.id, at: t };
    if (c.to === 'open') n.open = { ms: Math.max(0, (c.until ?? t) - t), reason: c.reason, hard: health.isHardOpen(c.level, c.id) };
    const raw = JSON.stringify(n);
    // One pipelined write (a transition is rare; the request that caused it does not wait).
    redis
      .multi()
      .hset(hash, `${c.level}:${c.id}`, raw)
      .publish(notices.channel(CHANNEL), raw)
      .exec()
      .catch(() => {});
  });
  return { close: unsubscribe };
}
