// `.modelplane-lint.yaml`: a repository's own exceptions and rules, as data. Every ignored path and
// every allowed id carries a reason, so the exceptions document themselves in review.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import type { FamilyRule } from './types.js';

export const PROJECT_CONFIG_FILE = '.modelplane-lint.yaml';

const reason = z.string().trim().min(1, 'a reason is required');

const schema = z.strictObject({
  ignore: z.array(z.strictObject({ path: z.string().min(1), reason })).optional(),
  allow: z.array(z.strictObject({ id: z.string().min(1), reason })).optional(),
  rules: z
    .strictObject({
      disable: z.array(z.string().min(1)).optional(),
      add: z
        .array(
          z.strictObject({
            id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a rule id of lower-case letters, digits and -'),
            description: z.string().optional(),
            pattern: z.string().min(1),
            severity: z.enum(['error', 'warning']).optional(),
            provider: z.string().optional(),
            whole_literal_only: z.boolean().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  /** Gateway config files: never scanned, and used for suggestions. */
  config: z.array(z.string().min(1)).optional(),
  baseline: z.string().min(1).optional(),
});

export interface ProjectConfig {
  source: string | undefined;
  ignore: string[];
  allowed: Map<string, string>;
  disabled: string[];
  extraRules: FamilyRule[];
  gatewayConfigs: string[];
  baseline: string | undefined;
}

export class LintConfigError extends Error {}

export function emptyProjectConfig(): ProjectConfig {
  return { source: undefined, ignore: [], allowed: new Map(), disabled: [], extraRules: [], gatewayConfigs: [], baseline: undefined };
}

/** Reads `file`, or `.modelplane-lint.yaml` in `root` when it exists. */
export function loadProjectConfig(root: string, file?: string): ProjectConfig {
  const path = file ?? join(root, PROJECT_CONFIG_FILE);
  if (!existsSync(path)) {
    if (file) throw new LintConfigError(`lint config ${file} does not exist`);
    return emptyProjectConfig();
  }
  return parseProjectConfig(readFileSync(path, 'utf8'), path);
}

export function parseProjectConfig(text: string, source: string): ProjectConfig {
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (e) {
    throw new LintConfigError(`${source}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new LintConfigError(`${source}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const c = r.data;
  const extraRules: FamilyRule[] = (c.rules?.add ?? []).map((a, i) => {
    let pattern: RegExp;
    try {
      pattern = new RegExp(a.pattern, 'i');
    } catch (e) {
      throw new LintConfigError(`${source}: rules.add.${i}.pattern: ${e instanceof Error ? e.message : String(e)}`);
    }
    return {
      id: a.id,
      description: a.description ?? `user rule ${a.id}`,
      pattern,
      severity: a.severity ?? 'error',
      ...(a.provider ? { provider: a.provider } : {}),
      ...(a.whole_literal_only ? { wholeLiteralOnly: true } : {}),
    };
  });
  return {
    source,
    ignore: (c.ignore ?? []).map((x) => x.path),
    allowed: new Map((c.allow ?? []).map((a) => [a.id.toLowerCase(), a.reason])),
    disabled: c.rules?.disable ?? [],
    extraRules,
    gatewayConfigs: c.config ?? [],
    baseline: c.baseline,
  };
}
