// Error answers: a captured real error body for the provider and status when one fits, else a
// body in the provider's exact error shape (ProtocolModule.synthError). Also the credential
// faults: keys containing `quota-exhausted` or `invalid`.

import { existsSync, readdirSync } from 'node:fs';
import { fixtureAvailable, fixturePath, hasFixtures, readFixture } from './fixtures.js';
import type { ErrorReason, ProtocolModule, SimResponse } from './types.js';

const listings = new Map<string, string[]>();

function errorCaptures(dir: string): string[] {
  const full = fixturePath(dir);
  let names = listings.get(full);
  if (names === undefined) {
    names = existsSync(full) ? readdirSync(full).filter((n) => /^error-\d{3}-.*\.json$/.test(n)).sort() : [];
    listings.set(full, names);
  }
  return names;
}

/** The capture directory of a family: Vertex shares Google's error shape. */
function captureDir(family: string): string {
  return family === 'vertex' ? 'gemini' : family;
}

/** Picks the captured error that means what `reason` means; undefined when none does. */
export function pickCapture(family: string, status: number, reason: ErrorReason): string | undefined {
  if (!hasFixtures() || reason === 'bad-request' || reason === 'not-found') return undefined;
  const dir = captureDir(family);
  const names = errorCaptures(dir).filter((n) => n.startsWith(`error-${status}-`));
  let pick: string | undefined;
  if (reason === 'quota') pick = names.find((n) => n.includes('quota'));
  else if (reason === 'invalid-key') pick = names.find((n) => n.includes('api-key'));
  else {
    // A plain status fault must not look like a credential problem.
    const plain = names.filter((n) => !n.includes('insufficient') && !n.includes('api-key'));
    pick = plain.find((n) => n.includes('rate-limit')) ?? plain[0];
  }
  return pick === undefined ? undefined : `${dir}/${pick}`;
}

export interface ErrorOptions {
  message?: string;
  /** An explicit capture to answer with (fault `fixture`). */
  fixture?: string;
  retryAfter?: number;
}

export function errorResponse(
  mod: ProtocolModule,
  family: string,
  status: number,
  reason: ErrorReason,
  opts: ErrorOptions = {},
): SimResponse {
  const rel = opts.fixture ?? pickCapture(family, status, reason);
  let r: SimResponse;
  if (rel !== undefined && fixtureAvailable(rel) && existsSync(fixturePath(rel))) {
    const headers = { 'content-type': 'application/json', 'x-sim-source': `replay:${rel}`, ...mod.errorHeaders?.(status) };
    r = { kind: 'body', status, headers, body: readFixture(rel) };
  } else {
    r = mod.synthError(family, status, reason, opts.message);
    r.headers['x-sim-source'] = 'generated';
  }
  if (opts.retryAfter !== undefined) r.headers['retry-after'] = String(opts.retryAfter);
  return r;
}

const KEY_HEADERS = ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key'];

/**
 * A credential fault named by the key itself, so tests can model a spent key without any
 * setup: `quota-exhausted` -> the provider's 429 quota body; `invalid` -> its auth error
 * (401; Gemini answers 400 API_KEY_INVALID and Bedrock 403, as the real services do).
 */
export function credentialFault(
  mod: ProtocolModule,
  headers: Record<string, string | string[] | undefined>,
  query: URLSearchParams,
): { status: number; reason: ErrorReason } | undefined {
  const values: string[] = [];
  for (const h of KEY_HEADERS) {
    const v = headers[h];
    if (typeof v === 'string') values.push(v);
  }
  const key = query.get('key');
  if (key !== null) values.push(key);
  if (values.some((v) => v.includes('quota-exhausted'))) return { status: 429, reason: 'quota' };
  if (values.some((v) => v.includes('invalid'))) {
    const status = mod.format === 'gemini' ? 400 : mod.format === 'bedrock' ? 403 : 401;
    return { status, reason: 'invalid-key' };
  }
  return undefined;
}
