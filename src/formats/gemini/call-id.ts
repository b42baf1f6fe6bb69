// Gemini has no tool-call ids, and a functionCall part may carry a `thoughtSignature` that must
// come back on the next turn (Gemini 3 rejects the turn otherwise). Clients reliably echo one
// thing back: the call id. So the id we mint carries both a unique part (ids must not repeat
// within a conversation: after a fallback, Anthropic rejects duplicate tool_use ids) and the
// signature, base64url-encoded so the id stays within [A-Za-z0-9_-] as Anthropic requires.
import { randomBytes } from 'node:crypto';

const PACKED = /^call_[0-9a-f]{16}_s([A-Za-z0-9_-]+)$/;

export function mintCallId(signature?: string): string {
  const unique = randomBytes(8).toString('hex');
  if (signature === undefined || signature === '') return `call_${unique}`;
  return `call_${unique}_s${Buffer.from(signature, 'utf8').toString('base64url')}`;
}

/** The signature packed into an id we minted, if any. */
export function signatureFromCallId(id: string): string | undefined {
  const m = PACKED.exec(id);
  return m ? Buffer.from(m[1]!, 'base64url').toString('utf8') : undefined;
}
