// `--since 7d`: how far back a command reads logged traffic.

/** `7d`, `24h`, `30m` -> milliseconds. */
export function parseSince(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(m|h|d)$/.exec(s);
  if (!m) throw new Error(`--since: expected a duration such as 30m, 24h or 7d, got "${s}"`);
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm'];
}
