// Upstream error texts are untrusted: a provider (or a proxy in front of it) may echo the
// request's credentials ("Incorrect API key provided: Bearer sk-..."), dump request headers, or
// answer with an HTML page full of internal hostnames and a traceback. Nothing an upstream wrote
// reaches a caller, a log line, the ledger or a metric label before it passes through here:
// every credential the snapshot holds is cut out, so is anything shaped like a bearer token or a
// provider/AWS key, and the text becomes one bounded line. A non-JSON page is summarised.

import { GatewayError, type GatewayErrorOptions, type UpstreamErrorInfo } from '../spec/errors.js';
import type { Snapshot } from '../config/snapshot.js';

export const REDACTED = '[redacted]';

/** Longest upstream message a caller sees (characters, after redaction). */
export const MAX_EXCERPT = 300;

/** Shorter configured values are not treated as secrets: they would match ordinary words. */
const MIN_SECRET_LENGTH = 8;

/** Credential shapes worth cutting even when the gateway does not hold the value. */
const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // `Bearer <token>` / `Basic <b64>` in an echoed Authorization header or message.
  // The value must hold a digit or a symbol: "Basic authentication failed" is prose.
  [/\b(Bearer|Basic)\s+(?:(?=[A-Za-z._~+/=-]*[0-9._~+/=-])[A-Za-z0-9._~+/=-]{6,}|[A-Za-z]{16,})/gi, `$1 ${REDACTED}`],
  // OpenAI/Anthropic/most OpenAI-compatible keys: sk-..., sk-proj-..., sk-ant-...
  [/\bsk-[A-Za-z0-9_-]{6,}/g, REDACTED],
  // AWS access key ids (long-term AKIA, temporary ASIA).
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  // Google API keys.
  [/\bAIza[0-9A-Za-z_-]{30,}/g, REDACTED],
  // `key: value` dumps of credential headers and fields (x-api-key, api_key, secret, token...).
  [/\b((?:x-)?(?:api[_-]?key|access[_-]?token|secret[_-]?access[_-]?key|session[_-]?token|authorization|x-goog-api-key|password|secret))(["']?\s*[:=]\s*["']?)(?!Bearer\b|Basic\b|\[redacted\])[^\s"',;&}]{4,}/gi, `$1$2${REDACTED}`],
];

export class Redactor {
  private readonly known: RegExp | undefined;

  constructor(secrets: Iterable<string>) {
    const uniq = [...new Set([...secrets].filter((s) => s.length >= MIN_SECRET_LENGTH))];
    // Longest first: a key that contains another is cut whole.
    uniq.sort((a, b) => b.length - a.length);
    this.known = uniq.length === 0 ? undefined : new RegExp(uniq.map(escapeRegExp).join('|'), 'g');
  }

  redact(text: string): string {
    let out = this.known ? text.replace(this.known, REDACTED) : text;
    for (const [re, to] of PATTERNS) out = out.replace(re, to);
    return out;
  }

  /** Redacts every string inside a JSON value (keys too), returning a copy. */
  redactJson(v: unknown, depth = 0): unknown {
    if (typeof v === 'string') return this.redact(v);
    if (typeof v !== 'object' || v === null) return v;
    if (depth > 32) return REDACTED; // an upstream's body is not ours to walk without bound
    if (Array.isArray(v)) return v.map((e) => this.redactJson(e, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) out[this.redact(k)] = this.redactJson(e, depth + 1);
    return out;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const HEADER_SECRET = /key|token|auth|secret|signature|password/i;

/** Every credential a snapshot holds: provider and deployment keys, AWS secrets, our own keys. */
export function snapshotSecrets(s: Snapshot): string[] {
  const out: string[] = [];
  if (s.auth.masterKey) out.push(s.auth.masterKey);
  if (s.auth.adminKey) out.push(s.auth.adminKey);
  const creds = [...[...s.providers.values()].flatMap((p) => p.credentials), ...[...s.deployments.values()].flatMap((d) => d.credentials)];
  for (const c of creds) {
    if (c.apiKey) out.push(c.apiKey);
    if (c.aws) {
      out.push(c.aws.accessKeyId, c.aws.secretAccessKey);
      if (c.aws.sessionToken) out.push(c.aws.sessionToken);
    }
  }
  for (const p of s.providers.values()) {
    for (const [k, v] of Object.entries(p.headers)) if (HEADER_SECRET.test(k)) out.push(v, v.replace(/^(Bearer|Basic)\s+/i, ''));
    for (const [k, v] of Object.entries(p.query)) if (HEADER_SECRET.test(k)) out.push(v);
  }
  return out;
}

const bySnapshot = new WeakMap<Snapshot, Redactor>();

/** One redactor per snapshot, built on first use: a hot reload with new keys gets a new one. */
export function redactorFor(s: Snapshot): Redactor {
  let r = bySnapshot.get(s);
  if (!r) bySnapshot.set(s, (r = new Redactor(snapshotSecrets(s))));
  return r;
}

/** One line, bounded, redacted: what a caller may read of an upstream's words. */
export function excerpt(text: string, redactor: Redactor, max = MAX_EXCERPT): string {
  // Redact before cutting, so a cut cannot leave the head of a key behind.
  const line = redactor.redact(text).replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** An HTML page (a proxy's or framework's error page), recognised by its opening. */
export function looksLikeHtml(text: string): boolean {
  return /^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<\?xml[^>]*>\s*<html)/i.test(text.slice(0, 512));
}

/** Summary of a non-JSON body: HTML is never quoted (hostnames, tracebacks); short text is. */
export function summariseBody(text: string, status: number, redactor: Redactor): string {
  if (text.trim() === '') return `upstream returned HTTP ${status} with an empty body`;
  if (looksLikeHtml(text)) return `upstream returned an HTML error page, HTTP ${status}`;
  if (/Traceback \(most recent call last\)|\n\s+at .+:\d+:\d+\)?/.test(text)) return `upstream returned a stack trace, HTTP ${status}`;
  return `upstream returned HTTP ${status}: ${excerpt(text, redactor, 200)}`;
}

/**
 * The error as it may leave the gateway: its message a redacted single-line excerpt (or a
 * summary when the upstream sent a non-JSON page), its upstream body redacted. Errors without
 * upstream text (our own) pass through unchanged in content.
 */
export function sanitizeUpstreamError(err: GatewayError, redactor: Redactor): GatewayError {
  const up = err.upstream;
  let message: string;
  if (up && typeof up.body === 'string' && up.body.trim() !== '' && (looksLikeHtml(up.body) || err.message.includes(up.body.trim().slice(0, 40)))) {
    // The format fell back to quoting the raw body: summarise it instead.
    message = summariseBody(up.body, up.status, redactor);
  } else {
    message = excerpt(err.message, redactor);
  }
  const upstream: UpstreamErrorInfo | undefined = up && {
    status: up.status,
    ...(up.body !== undefined ? { body: typeof up.body === 'string' ? excerpt(up.body, redactor, 2_000) : redactor.redactJson(up.body) } : {}),
    ...(up.type !== undefined ? { type: excerpt(up.type, redactor, 100) } : {}),
  };
  if (message === err.message && upstream === undefined) return err;
  const opts: GatewayErrorOptions = { status: err.status, retryable: err.retryable, scope: err.scope };
  if (err.param !== undefined) opts.param = excerpt(err.param, redactor, 200);
  if (upstream !== undefined) opts.upstream = upstream;
  if (err.retryAfterMs !== undefined) opts.retryAfterMs = err.retryAfterMs;
  if (err.cause !== undefined) opts.cause = err.cause;
  return new GatewayError(err.code, message, opts);
}

/** The full upstream body for a debug log line: redacted, never shown to the caller. */
export function upstreamDebugText(err: GatewayError, redactor: Redactor, max = 16_384): string | undefined {
  const body = err.upstream?.body;
  if (body === undefined) return undefined;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const red = redactor.redact(text);
  return red.length > max ? `${red.slice(0, max)}… (${red.length} chars)` : red;
}
