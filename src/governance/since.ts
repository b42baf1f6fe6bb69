// `--since 24h`, `?since=7d`, or an ISO date-time -> ms since epoch.

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export function parseSince(text: string, now: number): number {
  const m = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/.exec(text.trim());
  if (m) return now - Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new Error(`expected a duration such as 30m, 24h, 7d or 2w, or an ISO date-time; got "${text}"`);
  return t;
}
