// Virtual keys: `mp-` + 32 random URL-safe characters (192 bits). Only the sha256 is kept; a
// presented key is hashed once and looked up in a Map, so the secret is never compared
// character by character against anything an attacker can time.

import * as crypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';

export const KEY_PREFIX = 'mp-';
/** The body after `mp-`: at least 32 URL-safe base64 characters. */
const KEY_SHAPE = /^mp-[A-Za-z0-9_-]{32,}$/;

export function generateKey(): string {
  return KEY_PREFIX + randomBytes(24).toString('base64url');
}

export function generateKeyId(): string {
  return `key_${randomBytes(9).toString('base64url')}`;
}

export function isKeyShaped(key: string): boolean {
  return KEY_SHAPE.test(key);
}

/** Node >= 20.12 has a one-shot `crypto.hash` (no Hash object per call); older 20.x falls back. */
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

export function hashKey(key: string): string {
  return oneShot ? oneShot('sha256', key, 'hex') : createHash('sha256').update(key).digest('hex');
}

/** What lists show: `mp-` + the first 8 characters of the random part. */
export function keyPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 8);
}

/** `sha256:<hex>` from config -> the bare hex. */
export function parseKeyHash(spec: string): string {
  return spec.startsWith('sha256:') ? spec.slice('sha256:'.length) : spec;
}

/**
 * Keyed lookup by hash. The presented key is hashed and the digest looked up in a Map: what an
 * attacker can time is a hash-table probe on a digest they cannot steer, never a comparison of
 * the secret character by character.
 */
export class KeyIndex<T extends { hash: string }> {
  private readonly byHash = new Map<string, T>();

  constructor(records: Iterable<T>) {
    for (const r of records) this.byHash.set(r.hash, r);
  }

  get size(): number {
    return this.byHash.size;
  }

  lookup(presented: string): T | undefined {
    return this.byHash.get(hashKey(presented));
  }
}
