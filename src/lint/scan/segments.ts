// Which parts of a file are scanned, and as what: the entry point from a path and its text to
// the segments (string literals, comments, values) the detector reads.

import { basename } from 'node:path';
import type { Segment } from '../types.js';
import { markdownSegments, sfcSegments } from './containers.js';
import { isConventionalConfigName, looksLikeGatewayConfig } from './gateway-config-shape.js';
import { lex } from './lexer.js';
import { notebookSegments } from './notebook.js';
import { SYNTAX, syntaxForPath } from './languages.js';

export type SegmentsResult = { segments: Segment[] } | { skipped: 'not-source' | 'gateway-config' };

export function segmentsFor(path: string, text: string): SegmentsResult {
  const kind = syntaxForPath(path);
  if (kind === undefined) return { skipped: 'not-source' };
  if (kind === 'markdown') return { segments: markdownSegments(text) };
  if (kind === 'sfc') return { segments: sfcSegments(text) };
  if (kind === 'notebook') return { segments: notebookSegments(text) };
  if (kind === 'yaml' && (isConventionalConfigName(basename(path)) || looksLikeGatewayConfig(text))) return { skipped: 'gateway-config' };
  return { segments: lex(text, SYNTAX[kind]) };
}
