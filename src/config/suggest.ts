// "Did you mean" for names a person typed: config keys, presets, deployment names, CLI flags.

/** Levenshtein distance, with a transposition counting as one edit (`cofnig` is one from `config`). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}

/** The candidate with the smallest edit distance (case-insensitive); ties go to the earlier one. */
export function nearestName(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** `; did you mean "x"?` when a candidate is close enough to be a likely typo, else ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const best = nearestName(word, candidates);
  if (best === undefined) return '';
  const limit = Math.max(2, Math.floor(word.length / 3));
  return editDistance(word.toLowerCase(), best.toLowerCase()) <= limit ? `; did you mean "${best}"?` : '';
}
