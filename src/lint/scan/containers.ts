// Files that hold code in another language: Markdown code blocks and the `<script>` blocks of
// Vue/Svelte/Astro/HTML files. Each embedded block is lexed with its own language's table at its
// own offsets, so findings point at the right line and column of the outer file.

import type { Segment } from '../types.js';
import { lex } from './lexer.js';
import { SYNTAX, syntaxForLanguage } from './languages.js';
import { looksLikeGatewayConfig } from './gateway-config-shape.js';

const FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`{]*)[^\n]*$/gm;

/**
 * Fenced code blocks are scanned with the fence's language; prose is not (documentation is allowed
 * to talk about models). A YAML block that is a gateway config is where model ids belong.
 */
export function markdownSegments(text: string, out: Segment[] = []): Segment[] {
  FENCE.lastIndex = 0;
  let open: { fence: string; lang: string; bodyStart: number } | undefined;
  for (let m = FENCE.exec(text); m; m = FENCE.exec(text)) {
    const fence = m[1]!;
    if (!open) {
      open = { fence, lang: m[2] ?? '', bodyStart: m.index + m[0].length + 1 };
      continue;
    }
    if (fence[0] === open.fence[0] && fence.length >= open.fence.length && (m[2] ?? '') === '') {
      pushBlock(text, open.lang, open.bodyStart, m.index, out);
      open = undefined;
    }
  }
  if (open) pushBlock(text, open.lang, open.bodyStart, text.length, out);
  return out;
}

function pushBlock(text: string, lang: string, start: number, end: number, out: Segment[]) {
  if (start >= end) return;
  const syntax = syntaxForLanguage(lang);
  if ((syntax === SYNTAX.yaml || syntax === SYNTAX.plain) && looksLikeGatewayConfig(text.slice(start, end))) return;
  lex(text, syntax, start, end, out);
}

const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const FRONTMATTER = /^---\r?\n([\s\S]*?)\r?\n---/;

/** Script blocks as TypeScript/JavaScript; the template's attributes and comments as markup. */
export function sfcSegments(text: string, out: Segment[] = []): Segment[] {
  let cursor = 0;
  const fm = FRONTMATTER.exec(text);
  if (fm) {
    // Astro's frontmatter is TypeScript.
    lex(text, SYNTAX.js, 4, 4 + fm[1]!.length, out);
    cursor = fm[0].length;
  }
  SCRIPT.lastIndex = cursor;
  for (let m = SCRIPT.exec(text); m; m = SCRIPT.exec(text)) {
    const bodyStart = m.index + 8 + m[1]!.length;
    lex(text, SYNTAX.markup, cursor, m.index, out);
    const isJson = /type\s*=\s*["']application\/(?:ld\+)?json/i.test(m[1]!);
    lex(text, isJson ? SYNTAX.json : SYNTAX.js, bodyStart, bodyStart + m[2]!.length, out);
    cursor = m.index + m[0].length;
  }
  lex(text, SYNTAX.markup, cursor, text.length, out);
  return out;
}
