// The cluster half of the config contract (issue 17): shared hot state on Redis (`cluster:`) and
// durable records on Postgres (`storage.postgres`). Both together turn cluster mode on; the
// pairing check lives in compile-cluster.ts because it spans two sections.

import { z } from 'zod';

const redisUrl = z
  .string()
  .min(1, 'expected a Redis URL such as redis://127.0.0.1:6379 (is the environment variable set?)')
  .regex(/^rediss?:\/\//, 'expected a Redis URL with its scheme, such as redis://127.0.0.1:6379 or rediss://host:6380');

const postgresUrl = z
  .string()
  .min(1, 'expected a Postgres URL such as postgres://user@127.0.0.1:5432/modelplane (is the environment variable set?)')
  .regex(/^postgres(ql)?:\/\//, 'expected a Postgres URL with its scheme, such as postgres://user:pass@127.0.0.1:5432/modelplane');

export const clusterSchema = z.strictObject({
  redis: z.strictObject({
    url: redisUrl,
    /** Prefix of every key this gateway writes, so several deployments can share one Redis. */
    key_prefix: z.string().optional(),
  }),
  /** What admission does when Redis cannot answer: each instance's share of the limits (`local`) or 503 (`refuse`). */
  on_redis_unavailable: z.enum(['local', 'refuse']).optional(),
  /** How long admission waits for Redis before the local policy applies (milliseconds). */
  admission_timeout_ms: z.number().int().positive().max(10_000).optional(),
  /** How long a request's concurrency slot and budget reservation outlive their instance (milliseconds; renewed every third of it while the request runs). */
  lease_ttl_ms: z.number().int().min(1_000).max(600_000).optional(),
});

export const postgresSchema = z.strictObject({
  url: postgresUrl,
  /** Connections per gateway process. */
  pool: z.number().int().min(1).max(1000).optional(),
});
