// A judge for shadow pairs: which answer serves the user's request better, the primary's or the
// candidate's. The judge is a gateway route's first deployment, called outside the pipeline like
// the mirrors (its cost is shadow spend). The two answers are shown in an order fixed per request
// id, half one way and half the other, so a judge that prefers the first position does not favour
// either side on average.
import type { DeploymentSnapshot } from '../config/snapshot.js';
import type { AttemptAbort } from '../gateway/cancel.js';
import type { CanonicalMessage, CanonicalRequest } from '../spec/canonical.js';
import type { ShadowSender } from './sender.js';

/** For the candidate. */
export type PairVerdict = 'win' | 'tie' | 'loss';

export interface JudgedPair {
  verdict?: PairVerdict;
  costUsd?: number;
  error?: string;
}

const SYSTEM =
  'You compare two answers to the same request. Reply with only a JSON object: {"winner": "A", "B" or "tie", "reason": "one short sentence"}. ' +
  'Prefer the answer that is correct, complete and follows the request; "tie" when neither is better.';

function text(role: CanonicalMessage['role'], t: string): CanonicalMessage {
  return { role, content: [{ type: 'text', text: t }] };
}

/** The request's last user text. */
export function lastUserText(r: CanonicalRequest): string {
  for (let i = r.messages.length - 1; i >= 0; i--) {
    const m = r.messages[i]!;
    if (m.role === 'user') return m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
  }
  return '';
}

/** Half the pairs show the candidate first. */
export function candidateFirst(requestId: string): boolean {
  let h = 0;
  for (let i = 0; i < requestId.length; i++) h = (h * 31 + requestId.charCodeAt(i)) | 0;
  return (h & 1) === 1;
}

export function parseWinner(reply: string): 'A' | 'B' | 'tie' | undefined {
  const m = /\{[\s\S]*\}/.exec(reply);
  try {
    const w = (JSON.parse(m ? m[0] : reply) as { winner?: unknown }).winner;
    if (w === 'A' || w === 'B') return w;
    if (typeof w === 'string' && w.toLowerCase() === 'tie') return 'tie';
  } catch {
    /* not JSON */
  }
  return undefined;
}

export async function judgePair(
  sender: ShadowSender,
  judge: DeploymentSnapshot,
  request: CanonicalRequest,
  requestId: string,
  primary: string,
  candidate: string,
  timeoutMs: number,
  abort: AttemptAbort,
): Promise<JudgedPair> {
  const swap = candidateFirst(requestId);
  const [a, b] = swap ? [candidate, primary] : [primary, candidate];
  const ask: CanonicalRequest = {
    model: 'shadow-judge',
    stream: false,
    temperature: 0,
    maxTokens: 200,
    messages: [text('system', SYSTEM), text('user', `REQUEST:\n${lastUserText(request)}\n\nANSWER A:\n${a}\n\nANSWER B:\n${b}`)],
  };
  const r = await sender.send(judge, ask, timeoutMs, abort);
  const out: JudgedPair = {};
  if (r.costUsd !== undefined) out.costUsd = r.costUsd;
  if (r.error !== undefined) return { ...out, error: r.error };
  const w = parseWinner(r.text);
  if (w === undefined) return { ...out, error: 'judge_unreadable' };
  if (w === 'tie') return { ...out, verdict: 'tie' };
  const candidateWon = (w === 'A') === swap;
  return { ...out, verdict: candidateWon ? 'win' : 'loss' };
}

/** Win rate (ties count half) with a 95% Wilson interval. */
export function winRate(wins: number, ties: number, losses: number): { rate: number; lo: number; hi: number; n: number } | undefined {
  const n = wins + ties + losses;
  if (n === 0) return undefined;
  const p = (wins + ties / 2) / n;
  const z = 1.96;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { rate: p, lo: Math.max(0, c - h), hi: Math.min(1, c + h), n };
}
