// Redis pub/sub for cluster notices (tenant changes, breaker transitions): one subscriber
// connection per instance, channels under the key prefix. A notice only makes a change look
// sooner; every consumer also has a way to catch up (a poll, a stored state) for notices lost
// while the connection was down, which it runs on every (re)connect.

import type { Redis } from 'ioredis';
import { createRedis } from './client.js';

export class RedisNotices {
  private readonly sub: Redis;
  private readonly handlers = new Map<string, (message: string) => void>();
  private readonly reconnects: Array<() => void> = [];
  private subscribedOnce: Promise<void>;
  private markSubscribed: () => void = () => {};

  constructor(
    url: string,
    private readonly prefix: string,
    name = 'modelplane:notices',
  ) {
    this.subscribedOnce = new Promise((resolve) => (this.markSubscribed = resolve));
    this.sub = createRedis(url, { subscriber: true, name });
    this.sub.on('message', (channel: string, message: string) => this.handlers.get(channel)?.(message));
    // Subscribes on every ready (first connect and each reconnect), then lets consumers catch up.
    this.sub.on('ready', () => {
      const channels = [...this.handlers.keys()];
      const done = channels.length > 0 ? this.sub.subscribe(...channels) : Promise.resolve();
      done.then(() => this.markSubscribed(), () => {});
      // Catch up only once subscribed: nothing published after the catch-up read is missed.
      done.then(() => this.reconnects.forEach((f) => f()), () => {});
    });
  }

  /** Handles `channel` (under the prefix); `catchUp` runs on every (re)connect. */
  on(channel: string, handler: (message: string) => void, catchUp?: () => void): void {
    const ch = this.prefix + channel;
    this.handlers.set(ch, handler);
    if (catchUp) this.reconnects.push(catchUp);
    if (this.sub.status === 'ready') void this.sub.subscribe(ch).then(() => catchUp?.(), () => {});
  }

  /** Resolves once the first connection has subscribed its channels (tests, start-up). */
  subscribed(): Promise<void> {
    return this.subscribedOnce;
  }

  channel(name: string): string {
    return this.prefix + name;
  }

  close(): void {
    this.sub.disconnect();
  }
}
