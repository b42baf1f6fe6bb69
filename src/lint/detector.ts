// Decides whether one token is a provider model id, and which rule says so. Shared by the CLI
// scanner and the ESLint rule, so the editor and CI agree on every finding.

import { loadCatalog } from '../catalog/index.js';
import { candidates } from './normalise.js';
import { BUILTIN_RULES, CATALOG_RULE_ID } from './rules.js';
import type { FamilyRule, Severity } from './types.js';

export interface Detector {
  rules: readonly FamilyRule[];
  /** Catalog model id (lower-case) -> catalog preset that lists it. */
  catalog: ReadonlyMap<string, string>;
  /** Ids the user's config allows (lower-case), each with its reason. */
  allowed: ReadonlyMap<string, string>;
  /** False when every id we know has a digit or a dash, so plain words can be skipped cheaply. */
  plainWords: boolean;
}

export interface IdMatch {
  ruleId: string;
  severity: Severity;
  /** The provider (catalog preset) a suggestion can name. */
  provider: string | undefined;
}

/** Model ids the provider catalog lists, keyed lower-case, with the preset that lists each. */
export function catalogModelIds(): Map<string, string> {
  const ids = new Map<string, string>();
  for (const [preset, entry] of loadCatalog()) {
    for (const id of Object.keys(entry.models ?? {})) if (!ids.has(id.toLowerCase())) ids.set(id.toLowerCase(), preset);
  }
  return ids;
}

export interface DetectorOptions {
  disabled?: Iterable<string>;
  extraRules?: readonly FamilyRule[];
  allowed?: ReadonlyMap<string, string>;
  catalog?: ReadonlyMap<string, string>;
}

export function createDetector(options: DetectorOptions = {}): Detector {
  const disabled = new Set(options.disabled ?? []);
  const rules = [...BUILTIN_RULES, ...(options.extraRules ?? [])].filter((r) => !disabled.has(r.id));
  const catalog = disabled.has(CATALOG_RULE_ID) ? new Map<string, string>() : (options.catalog ?? catalogModelIds());
  const plainWords = (options.extraRules ?? []).length > 0 || [...catalog.keys()].some((id) => !/[-0-9]/.test(id));
  return { rules, catalog, allowed: options.allowed ?? new Map(), plainWords };
}

/**
 * `wholeLiteral`: the token is an entire string literal or settings value; `modelContext`: its line
 * says "model" before it. Both together let the short, word-like shapes (`o3`) count.
 */
export function matchId(token: string, wholeLiteral: boolean, det: Detector, modelContext = wholeLiteral): IdMatch | undefined {
  if (!det.plainWords && !/[-0-9]/.test(token)) return undefined;
  const cands = candidates(token);
  if (cands.length === 0) return undefined;
  for (const c of cands) if (det.allowed.has(c)) return undefined;
  for (const c of cands) {
    const preset = det.catalog.get(c);
    if (preset !== undefined) return { ruleId: CATALOG_RULE_ID, severity: 'error', provider: preset };
  }
  for (const rule of det.rules) {
    if (rule.wholeLiteralOnly && !(wholeLiteral && modelContext)) continue;
    for (const c of cands) if (rule.pattern.test(c)) return { ruleId: rule.id, severity: rule.severity, provider: rule.provider };
  }
  return undefined;
}
