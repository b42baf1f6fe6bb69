// Captured prompts and answers are user data kept on disk: before a capture is stored, every
// credential the gateway holds and anything shaped like one is cut out. The upstream-error
// redactor (src/gateway/redact.ts) already knows the gateway's own secrets and the common key
// shapes; prompts add what people paste into a chat: virtual keys, GitHub and Slack tokens,
// JWTs, private-key blocks.
import type { Snapshot } from '../config/snapshot.js';
import { REDACTED, redactorFor } from '../gateway/redact.js';

const PROMPT_PATTERNS: ReadonlyArray<RegExp> = [
  // modelplane virtual keys (mp- + 32 URL-safe characters).
  /\bmp-[A-Za-z0-9_-]{32}\b/g,
  // GitHub personal, OAuth, app and refresh tokens; fine-grained tokens.
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{40,}\b/g,
  // Slack tokens.
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  // JSON Web Tokens (three base64url parts, the first a JSON header).
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  // PEM private keys, whole blocks.
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

export interface Redacted {
  text: string;
  /** Whether anything was cut (counted, so an operator can see captures that held secrets). */
  changed: boolean;
}

export function captureRedactor(snapshot: Snapshot): (text: string) => Redacted {
  const base = redactorFor(snapshot);
  return (text) => {
    let out = text;
    for (const re of PROMPT_PATTERNS) out = out.replace(re, REDACTED);
    out = base.redact(out);
    return { text: out, changed: out !== text };
  };
}
