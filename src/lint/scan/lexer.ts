// A small table-driven lexer: given a language's comment and string delimiters, splits a range of
// text into string-literal, comment and (for settings files and shells) bare-value segments. It
// does not parse; it only needs to know where strings and comments begin and end, which one table
// per language family gets right for the cases that matter (and degrades to "scan it" otherwise).

import type { Segment } from '../types.js';

export interface StringDelimiter {
  open: string;
  close: string;
  /** May span lines (template literals, triple quotes, shell quotes). */
  multiline: boolean;
  /** A backslash escapes the next character. */
  escapes: boolean;
}

export interface Syntax {
  name: string;
  lineComments: readonly string[];
  blockComments: ReadonlyArray<readonly [string, string]>;
  strings: readonly StringDelimiter[];
  /** Unquoted text is data too (YAML values, shell words, `.env` lines): scan it as values. */
  bareIsValue: boolean;
  /** `#` starts a comment only at a line start or after whitespace (YAML, shell, TOML). */
  hashAfterSpace: boolean;
  /** Block comments that must start a line (Ruby `=begin`). */
  blockAtLineStart?: boolean;
}

interface Opener {
  text: string;
  kind: 'line' | 'block' | 'string';
  close: string;
  multiline: boolean;
  escapes: boolean;
}

const openersCache = new WeakMap<Syntax, { openers: Opener[]; first: Set<number> }>();

function openersOf(syntax: Syntax) {
  let o = openersCache.get(syntax);
  if (o) return o;
  const openers: Opener[] = [
    ...syntax.blockComments.map(([a, b]) => ({ text: a, kind: 'block' as const, close: b, multiline: true, escapes: false })),
    ...syntax.lineComments.map((a) => ({ text: a, kind: 'line' as const, close: '\n', multiline: false, escapes: false })),
    ...syntax.strings.map((s) => ({ text: s.open, kind: 'string' as const, close: s.close, multiline: s.multiline, escapes: s.escapes })),
  ];
  // Longest opener first, so `"""` wins over `"` and `/*` is not read as `/`.
  openers.sort((a, b) => b.text.length - a.text.length);
  o = { openers, first: new Set(openers.map((x) => x.text.charCodeAt(0))) };
  openersCache.set(syntax, o);
  return o;
}

const NL = 10;
const BACKSLASH = 92;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

export function lex(text: string, syntax: Syntax, from = 0, to = text.length, out: Segment[] = []): Segment[] {
  const { openers, first } = openersOf(syntax);
  let i = from;
  let bareStart = from;
  const flushBare = (end: number) => {
    if (syntax.bareIsValue && end > bareStart) out.push({ kind: 'value', start: bareStart, end });
  };
  while (i < to) {
    const c = text.charCodeAt(i);
    if (!first.has(c)) {
      i++;
      continue;
    }
    let op: Opener | undefined;
    for (const o of openers) {
      if (o.text.charCodeAt(0) === c && text.startsWith(o.text, i)) {
        op = o;
        break;
      }
    }
    if (!op) {
      i++;
      continue;
    }
    if (op.kind !== 'string' && op.text === '#' && syntax.hashAfterSpace && i > from && !isSpace(text.charCodeAt(i - 1))) {
      i++;
      continue;
    }
    if (op.kind === 'block' && syntax.blockAtLineStart && i > from && text.charCodeAt(i - 1) !== NL) {
      i++;
      continue;
    }
    flushBare(i);
    const bodyStart = i + op.text.length;
    let j = bodyStart;
    let bodyEnd = to;
    let next = to;
    if (op.kind === 'line') {
      const nl = text.indexOf('\n', j);
      bodyEnd = nl < 0 || nl > to ? to : nl;
      next = bodyEnd;
    } else {
      while (j < to) {
        const d = text.charCodeAt(j);
        if (op.escapes && d === BACKSLASH) {
          j += 2;
          continue;
        }
        if (d === NL && !op.multiline) {
          bodyEnd = j;
          next = j;
          break;
        }
        if (d === op.close.charCodeAt(0) && text.startsWith(op.close, j)) {
          bodyEnd = j;
          next = j + op.close.length;
          break;
        }
        j++;
      }
      if (j >= to) {
        bodyEnd = to;
        next = to;
      }
    }
    if (bodyEnd > bodyStart) out.push({ kind: op.kind === 'string' ? 'string' : 'comment', start: bodyStart, end: Math.min(bodyEnd, to) });
    i = next;
    bareStart = i;
  }
  flushBare(to);
  return out;
}
