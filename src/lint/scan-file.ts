// One file's text to its findings: segments from the language scanner, id-shaped tokens in each,
// the detector's verdict on each token, prose mentions in comments, and inline suppressions.

import { createHash } from 'node:crypto';
import { matchId, type Detector } from './detector.js';
import { LineIndex } from './line-index.js';
import { TOKEN, trimToken } from './normalise.js';
import { proseMentions } from './prose.js';
import { PROSE_RULE_ID, SUPPRESSION_RULE_ID } from './rules.js';
import { segmentsFor } from './scan/segments.js';
import { DIRECTIVE, findSuppressions } from './suppressions.js';
import type { Finding, Segment, Severity } from './types.js';

/** Says what to do instead, for one finding: filled from the gateway config when one is given. */
export type Suggest = (id: string, provider: string | undefined) => { text: string; route?: string };

interface Hit {
  start: number;
  end: number;
  id: string;
  ruleId: string;
  severity: Severity;
  provider: string | undefined;
  wholeLiteral: boolean;
  prose: boolean;
}

export interface ScanResult {
  findings: Finding[];
  skipped?: 'not-source' | 'gateway-config';
}

export function scanText(file: string, text: string, det: Detector, suggest: Suggest): ScanResult {
  const seg = segmentsFor(file, text);
  if ('skipped' in seg) return { findings: [], skipped: seg.skipped };
  const hits: Hit[] = [];
  for (const s of seg.segments) scanSegment(text, s, det, hits);
  const hasDirective = text.includes(DIRECTIVE);
  if (hits.length === 0 && !hasDirective) return { findings: [] };
  const index = new LineIndex(text);
  const sup = hasDirective
    ? findSuppressions(text, (o) => index.lineOf(o), (l) => index.lineStart(l))
    : { lines: new Set<number>(), missingReason: [] };
  const findings: Finding[] = [];
  for (const h of hits) {
    const line = index.lineOf(h.start);
    if (sup.lines.has(line)) continue;
    const s = h.prose ? { text: 'name the route this code uses instead of the model behind it' } : suggest(h.id, h.provider);
    findings.push(makeFinding(file, index, line, h, h.prose ? `comment names model "${h.id}"` : `model id "${h.id}" in application code`, s.text));
  }
  for (const m of sup.missingReason) {
    const line = index.lineOf(m.start);
    const hit: Hit = { ...m, id: DIRECTIVE, ruleId: SUPPRESSION_RULE_ID, severity: 'error', provider: undefined, wholeLiteral: false, prose: false };
    findings.push(makeFinding(file, index, line, hit, 'suppression without a reason', `write why after a colon: \`${DIRECTIVE}: <reason>\``));
  }
  findings.sort((a, b) => a.start - b.start);
  return { findings };
}

const URL_REST = /[^\s"'`<>()[\]{}]*/y;

function scanSegment(text: string, s: Segment, det: Detector, hits: Hit[]) {
  const first = hits.length;
  const urls: Array<[number, number]> = [];
  TOKEN.lastIndex = s.start;
  for (let m = TOKEN.exec(text); m && m.index < s.end; m = TOKEN.exec(text)) {
    let raw = m[0];
    if (m.index + raw.length > s.end) raw = raw.slice(0, s.end - m.index);
    const token = trimToken(raw);
    if (token.length < 2) continue;
    if (token.includes('://')) {
      // A URL runs on past the id characters (`#anchor`, `?q=`): none of it is an id, bar a Vertex path.
      URL_REST.lastIndex = m.index + raw.length;
      const rest = URL_REST.exec(text);
      const urlEnd = Math.min(s.end, m.index + raw.length + (rest ? rest[0].length : 0));
      urls.push([m.index, urlEnd]);
      TOKEN.lastIndex = urlEnd;
    }
    const wholeLiteral = isWholeLiteral(text, s, m.index, m.index + token.length);
    const match = matchId(token, wholeLiteral, det, wholeLiteral && saysModelBefore(text, m.index));
    if (match) hits.push({ start: m.index, end: m.index + token.length, id: token, ...match, wholeLiteral: wholeLiteral && s.kind === 'string', prose: false });
  }
  if (s.kind !== 'comment') return;
  for (const p of proseMentions(text, s.start, s.end)) {
    if (isOtherOpus(p, text, s)) continue;
    // A mention inside an id already reported, or inside a link to documentation, is not prose.
    let overlaps = urls.some(([a, b]) => a < p.end && p.start < b);
    for (let i = first; i < hits.length; i++) if (hits[i]!.start < p.end && p.start < hits[i]!.end) overlaps = true;
    if (!overlaps) hits.push({ start: p.start, end: p.end, id: p.text, ruleId: PROSE_RULE_ID, severity: 'warning', provider: undefined, wholeLiteral: false, prose: true });
  }
}

/** "opus" alone is also an audio codec and half of "magnum opus": neither is a model. */
function isOtherOpus(p: { start: number; end: number; text: string }, text: string, s: Segment): boolean {
  if (!/^opus$/i.test(p.text)) return false;
  if (/magnum\s+$/i.test(text.slice(Math.max(s.start, p.start - 8), p.start)) || /^\s+magnum/i.test(text.slice(p.end, p.end + 8))) return true;
  return AUDIO_WORDS.test(text.slice(s.start, s.end));
}

const AUDIO_WORDS = /\b(?:mp3|aac|flac|wav|ogg|pcm|webm|codec|audio)\b/i;

/** The word "model" (`model=`, `"model":`, `MODEL_ID=`, `modelName:`) earlier on the same line. */
function saysModelBefore(text: string, at: number): boolean {
  const from = Math.max(0, at - 60);
  const nl = text.lastIndexOf('\n', at);
  return /model/i.test(text.slice(Math.max(from, nl + 1), at));
}

/**
 * A string literal that is exactly the token, or a settings value that is the whole right-hand side
 * of its line (`model: o3`, `MODEL=o3`, `- o3`).
 */
function isWholeLiteral(text: string, s: Segment, start: number, end: number): boolean {
  if (s.kind === 'string') return start === s.start && end === s.end;
  if (s.kind !== 'value') return false;
  let i = start - 1;
  while (i >= s.start && (text[i] === ' ' || text[i] === '\t')) i--;
  const before = i < s.start ? '\n' : text[i]!;
  if (!'\n=:-'.includes(before)) return false;
  let j = end;
  while (j < s.end && (text[j] === ' ' || text[j] === '\t' || text[j] === '\r' || text[j] === ',')) j++;
  return j >= s.end || text[j] === '\n';
}

function makeFinding(file: string, index: LineIndex, line: number, h: Hit, message: string, suggestion: string): Finding {
  const lineText = index.lineText(line);
  const column = h.start - index.lineStart(line) + 1;
  const fingerprint = createHash('sha256').update(`${file}\0${h.ruleId}\0${h.id.toLowerCase()}\0${lineText.trim()}`).digest('hex').slice(0, 32);
  return {
    file,
    line: line + 1,
    column,
    endColumn: column + (h.end - h.start),
    ruleId: h.ruleId,
    severity: h.severity,
    id: h.id,
    message,
    suggestion,
    fingerprint,
    wholeLiteral: h.wholeLiteral,
    start: h.start,
    end: h.end,
  };
}
