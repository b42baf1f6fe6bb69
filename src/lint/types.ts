// Shared shapes of the model-id linter: rules, findings and the segments a scanner produces.

export type Severity = 'error' | 'warning';

/** Where a piece of text sits in its file: a string literal, a comment, or a settings value. */
export type SegmentKind = 'string' | 'comment' | 'value';

export interface Segment {
  kind: SegmentKind;
  /** Offsets into the file's text, end exclusive. */
  start: number;
  end: number;
}

export interface Finding {
  /** Path relative to the working directory, with forward slashes. */
  file: string;
  line: number;
  /** 1-based, in UTF-16 code units (what editors and SARIF's default column kind count). */
  column: number;
  endColumn: number;
  ruleId: string;
  severity: Severity;
  /** The text found, as written. */
  id: string;
  message: string;
  suggestion: string;
  /** Stable across line moves: file, rule, id and the trimmed line text. */
  fingerprint: string;
  /** True when the finding is a whole string literal, so `--fix` may replace it. */
  wholeLiteral: boolean;
  /** Offsets of the id in the file's text (for `--fix`). */
  start: number;
  end: number;
}

/** A family of model ids, as data: the built-in ones and those a user's config adds. */
export interface FamilyRule {
  id: string;
  description: string;
  /** Matched against a normalised candidate (prefixes, ARNs, hub orgs and tags removed), anchored. */
  pattern: RegExp;
  severity: Severity;
  /**
   * Short, word-like ids (`o3`) count only as an entire literal or value on a line that says
   * "model" before it (`model: 'o3'`, `MODEL=o3`), since the same two characters are everywhere.
   */
  wholeLiteralOnly?: boolean;
  /** Provider to name in the suggestion when no gateway config says which route serves it. */
  provider?: string;
}
