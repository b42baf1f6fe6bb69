// Jupyter notebooks: each code cell is read as Python (comments, strings, whole literals), each
// Markdown cell as Markdown (code blocks only), at the offsets of the notebook's own JSON text so
// findings point at the right line. Everything else in the file (outputs, metadata) is read as
// JSON strings: an output that prints a model id is still in the repository.

import type { Segment } from '../types.js';
import { markdownSegments } from './containers.js';
import { lex } from './lexer.js';
import { SYNTAX } from './languages.js';

interface Cell {
  cell_type?: unknown;
  source?: unknown;
}

/** A JSON string's decoded text and, for each decoded character, its offset in the raw text. */
interface Decoded {
  text: string;
  raw: number[];
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function decode(text: string, start: number, end: number, into: Decoded) {
  for (let i = start; i < end; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      into.text += c;
      into.raw.push(i);
      continue;
    }
    const e = text[i + 1] ?? '';
    if (e === 'u') {
      into.text += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16) || 0);
      into.raw.push(i);
      i += 5;
    } else {
      into.text += ESCAPES[e] ?? e;
      into.raw.push(i);
      i += 1;
    }
  }
}

const LOOK_AHEAD = 5000;

export function notebookSegments(text: string): Segment[] {
  const strings = lex(text, SYNTAX.json);
  let cells: Cell[];
  try {
    const nb = JSON.parse(text) as { cells?: unknown };
    cells = Array.isArray(nb.cells) ? (nb.cells as Cell[]) : [];
  } catch {
    return strings; // not valid JSON: read it as JSON strings anyway
  }
  const replaced = new Set<Segment>();
  const out: Segment[] = [];
  let cursor = 0; // index into `strings`: cells and their lines appear in document order
  for (const cell of cells) {
    const lines = typeof cell.source === 'string' ? [cell.source] : Array.isArray(cell.source) ? cell.source.filter((l): l is string => typeof l === 'string') : [];
    const decoded: Decoded = { text: '', raw: [] };
    for (const line of lines) {
      if (line === '') continue;
      let found = -1;
      // Bounded look-ahead: a line that is not where nbformat puts it must not make this quadratic.
      for (let k = cursor; k < strings.length && k < cursor + LOOK_AHEAD; k++) {
        const s = strings[k]!;
        const d: Decoded = { text: '', raw: [] };
        decode(text, s.start, s.end, d);
        if (d.text === line) {
          found = k;
          decoded.text += d.text;
          decoded.raw.push(...d.raw);
          replaced.add(s);
          break;
        }
      }
      if (found >= 0) cursor = found + 1;
    }
    if (decoded.text === '') continue;
    const inner = cell.cell_type === 'code' ? lex(decoded.text, SYNTAX.python) : cell.cell_type === 'markdown' ? markdownSegments(decoded.text) : [{ kind: 'string' as const, start: 0, end: decoded.text.length }];
    for (const s of inner) {
      if (s.end <= s.start) continue;
      out.push({ kind: s.kind, start: decoded.raw[s.start]!, end: decoded.raw[s.end - 1]! + 1 });
    }
  }
  for (const s of strings) if (!replaced.has(s)) out.push(s);
  return out.sort((a, b) => a.start - b.start);
}
