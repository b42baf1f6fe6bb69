// List-price cost of an answer from its token counts (USD per million tokens), for eval reports
// and shadow pairs when nobody upstream priced the request (the ledger's `costUsd` wins).
import type { Price } from '../config/snapshot.js';

export function priceUsd(price: Price | undefined, inputTokens: number | undefined, outputTokens: number | undefined): number | undefined {
  if (!price || inputTokens === undefined || outputTokens === undefined) return undefined;
  return (inputTokens * price.inputPerMTok + outputTokens * price.outputPerMTok) / 1e6;
}
