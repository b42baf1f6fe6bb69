// Inline suppression: `modelplane-lint-ignore: <reason>` on the line of a finding, or alone (in a
// comment) on the line above it. A reason is required, so every exception says why it exists; a
// suppression without one suppresses nothing and is reported itself.

export interface Suppressions {
  /** 0-based line numbers whose findings are suppressed. */
  lines: Set<number>;
  /** Offsets of directives that give no reason. */
  missingReason: Array<{ start: number; end: number }>;
}

// Spelled in two parts so this file's own source does not contain a directive without a reason.
export const DIRECTIVE = 'modelplane-lint-' + 'ignore';
/** What may precede a directive on a line of its own: indentation and comment punctuation. */
const COMMENT_ONLY_PREFIX = /^[\s/*#;!<-]*$/;
/** Comment closers and punctuation that are not a reason. */
const REASON = /^:[ \t]*(.*?)[ \t]*(?:\*\/|-->)?[ \t]*$/;

export function findSuppressions(text: string, lineOf: (offset: number) => number, lineStart: (line: number) => number): Suppressions {
  const out: Suppressions = { lines: new Set(), missingReason: [] };
  for (let at = text.indexOf(DIRECTIVE); at >= 0; at = text.indexOf(DIRECTIVE, at + DIRECTIVE.length)) {
    const line = lineOf(at);
    const nl = text.indexOf('\n', at);
    const rest = text.slice(at + DIRECTIVE.length, nl < 0 ? text.length : nl).replace(/\r$/, '');
    const m = REASON.exec(rest);
    if (!m || m[1]!.replace(/["'`,;)]+$/, '').trim() === '') {
      out.missingReason.push({ start: at, end: at + DIRECTIVE.length });
      continue;
    }
    out.lines.add(line);
    if (COMMENT_ONLY_PREFIX.test(text.slice(lineStart(line), at))) out.lines.add(line + 1);
  }
  return out;
}
