// Test-only helpers for the gemini format tests; the generic ones live in ./stream.ts.
import { signatureFromCallId } from '../../src/formats/gemini/call-id.js';

export { chunksOf, randomChunks, collect, normalize, pick } from './stream.js';
/**
 * Replaces minted tool-call ids (`call_<16 hex>[_s<signature>]`) with `call_0`, `call_1`, … in
 * order, after checking that each packs exactly the part's own signature and that no id repeats.
 */
export function stableCallIds<T>(items: T[]): T[] {
  const seen = new Set<string>();
  let n = 0;
  return items.map((item) => {
    const x = item as { type?: string; id?: string; signature?: string };
    if ((x.type === 'tool-call' || x.type === 'tool-call-start') && typeof x.id === 'string') {
      if (!/^call_[0-9a-f]{16}(_s[A-Za-z0-9_-]+)?$/.test(x.id)) throw new Error(`unexpected call id ${x.id}`);
      if (seen.has(x.id)) throw new Error(`duplicate call id ${x.id}`);
      seen.add(x.id);
      if (signatureFromCallId(x.id) !== x.signature) throw new Error(`id ${x.id} does not pack signature ${x.signature}`);
      return { ...item, id: `call_${n++}` };
    }
    return item;
  });
}
