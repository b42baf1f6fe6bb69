import type { Usage } from '../../spec/canonical.js';

/** Later values win field by field (the canonical stream may report usage more than once). */
export function mergeUsage(prev: Usage | undefined, next: Usage): Usage {
  const out: Usage = prev ?? { inputTokens: 0, outputTokens: 0 };
  for (const key of Object.keys(next) as Array<keyof Usage>) {
    const v = next[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}
