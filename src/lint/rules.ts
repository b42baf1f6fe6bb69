// The built-in rules, as data (in the style of gitleaks): each family of provider model ids has a
// rule id, a shape and the provider a suggestion names. A user's `.modelplane-lint.yaml` can disable
// any of them and add families this list does not know yet. Shapes are matched against a
// normalised candidate (see normalise.ts), so one rule covers dated snapshots, `-preview`,
// `-latest`, `:free`-style tags, hub `org/model` ids, Bedrock ARNs and Vertex resource paths.
//
// The families themselves are catalog data (src/catalog/model-families.yaml): model names live in
// the catalog only, this file turns them into patterns.

import { loadModelFamilies } from '../catalog/index.js';
import type { FamilyRule, Severity } from './types.js';

/**
 * Anything after the distinctive stem: versions, sizes, dates, `-preview`, `-latest`. Letters may
 * run straight on only after a digit (a size such as `32b`), so a stem ending in a word does not
 * swallow a longer unrelated word (a static-analysis tool's `-project` file, say).
 */
const TAIL = '(?:(?<=[0-9])[a-z0-9]*)?(?:[-._][a-z0-9][a-z0-9._-]*)?';


/** Built-in family rules. Patterns match the whole normalised candidate, case-insensitively. */
export const BUILTIN_RULES: readonly FamilyRule[] = loadModelFamilies().map((s) => ({
  id: s.id,
  description: s.description,
  provider: s.provider,
  severity: 'error' as Severity,
  pattern: new RegExp(`^(?:${s.stems.join('|')})${s.stems.some((x) => x.endsWith('-')) ? '[a-z0-9._-]*' : TAIL}$`, 'i'),
  ...(s.whole_literal_only ? { wholeLiteralOnly: true } : {}),
}));

/** Rules that are not families: their ids are fixed and listed here so SARIF and docs can name them. */
export const CATALOG_RULE_ID = 'catalog-model-id';
export const PROSE_RULE_ID = 'prose-model-mention';
export const SUPPRESSION_RULE_ID = 'suppression-without-reason';

export const META_RULES: ReadonlyArray<{ id: string; description: string; severity: Severity }> = [
  { id: CATALOG_RULE_ID, description: 'A model id listed in the provider catalog', severity: 'error' },
  { id: PROSE_RULE_ID, description: 'A model named in prose inside a comment ("we call opus here")', severity: 'warning' },
  { id: SUPPRESSION_RULE_ID, description: 'A suppression comment that gives no reason', severity: 'error' },
];
