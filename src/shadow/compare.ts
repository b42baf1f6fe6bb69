// One shadow pair: the primary's answer (what the client got) against the candidate's, scored
// on what a substitution decision needs: do they say the same thing, is JSON still JSON, how
// long, how fast, how dear.
import { similarity, type Embedder } from '../evals/embedder.js';

export interface Answered {
  text: string;
  latencyMs: number;
  costUsd?: number;
  inputTokens?: number;
  outputTokens?: number;
  /** An error code when the side failed. */
  error?: string;
}

export interface ShadowPair {
  at: number;
  route: string;
  candidate: string;
  /** The primary request's id, to find it in the request log. */
  requestId: string;
  /** The deployment that served the primary (output-token ratios for replay are per pair of deployments). */
  primaryDeployment?: string;
  primary: Answered;
  shadow: Answered;
  /** Text similarity in [0, 1]; undefined when a side failed. */
  similarity?: number;
  primaryJson: boolean;
  shadowJson: boolean;
  /** The judge's verdict for the candidate, when the route's shadow has a judge. */
  judge?: 'win' | 'tie' | 'loss';
  judgeError?: string;
  judgeCostUsd?: number;
  /** Scores (0..1, weighted share of passing assertions) of both answers under the route's `shadow.assert`. */
  assertions?: { primary: number; shadow: number };
}

function isJson(text: string): boolean {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

export async function comparePair(
  base: Pick<ShadowPair, 'at' | 'route' | 'candidate' | 'requestId' | 'primaryDeployment'>,
  primary: Answered,
  shadow: Answered,
  embedder: Embedder,
): Promise<ShadowPair> {
  const pair: ShadowPair = { ...base, primary, shadow, primaryJson: isJson(primary.text), shadowJson: isJson(shadow.text) };
  if (primary.error === undefined && shadow.error === undefined) pair.similarity = await similarity(embedder, primary.text, shadow.text);
  return pair;
}
