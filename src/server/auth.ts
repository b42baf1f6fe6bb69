// Authentication, before the body is read (a wrong key costs the gateway nothing). The
// lifecycle's authenticators (virtual keys, when tenants are configured) are asked first; then
// `auth.master_key`; with neither configured the gateway is open (the CLI warns at start-up).

import { GatewayError } from '../spec/errors.js';
import { ADMIN_CALLER, MASTER_CALLER, type Call } from '../gateway/call.js';
import type { AuthScheme } from '../gateway/endpoint.js';
import type { Lifecycle } from '../gateway/lifecycle.js';

/**
 * Constant-time comparison of the presented key with the configured one: every character is
 * compared whatever the earlier ones were, so the time taken says nothing about how much of a
 * guess was right (only about its length, which is not secret). No Buffer per request.
 */
export function keyMatches(given: string, expected: string): boolean {
  if (given.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < given.length; i++) diff |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return diff === 0;
}

/** The key as each official SDK sends it: `Authorization: Bearer`, `x-api-key` (Anthropic) or `x-goog-api-key` (Gemini). */
export function presentedKey(headers: Call['ex']['req']['headers']): string | undefined {
  const h = headers.authorization;
  if (typeof h === 'string' && h.length > 7 && (h.startsWith('Bearer ') || /^Bearer\s/i.test(h))) {
    const key = h.slice(7).trim();
    if (key !== '') return key;
  }
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x !== '') return x;
  const g = headers['x-goog-api-key'];
  if (typeof g === 'string' && g !== '') return g;
  return undefined;
}

function missingKey(scheme: AuthScheme): GatewayError {
  const how = scheme === 'anthropic' ? 'an `x-api-key` header or `Authorization: Bearer <key>`' : '`Authorization: Bearer <key>`';
  return new GatewayError('unauthorized', `Missing API key: send ${how}.`);
}

/** Sets `call.caller`, or throws the GatewayError to answer with. */
export function authenticate(call: Call, scheme: AuthScheme, lifecycle: Lifecycle): void {
  if (scheme === 'none') return;
  const auth = call.ex.snapshot.auth;
  const key = presentedKey(call.ex.req.headers);
  if (scheme === 'admin') {
    // The master key is a data-plane key: it reaches the admin API only if it is also configured
    // as auth.admin_key (a leaked application key must not mint virtual keys).
    const expected = auth.adminKey;
    if (expected === undefined) throw new GatewayError('forbidden', 'the admin API is disabled: set auth.admin_key in the config');
    if (key === undefined) throw missingKey(scheme);
    if (!keyMatches(key, expected)) throw new GatewayError('unauthorized', 'Invalid API key.');
    call.caller = ADMIN_CALLER;
    return;
  }
  const authenticators = lifecycle.authenticators;
  for (let i = 0; i < authenticators.length; i++) {
    const caller = authenticators[i]!(key, call);
    if (caller !== undefined) {
      call.caller = caller;
      return;
    }
  }
  const expected = auth.masterKey;
  if (expected === undefined) return; // open gateway: call.caller stays OPEN_CALLER
  if (key === undefined) throw missingKey(scheme);
  if (!keyMatches(key, expected)) throw new GatewayError('unauthorized', 'Invalid API key.');
  call.caller = MASTER_CALLER;
}
