// YAML text -> validated Config -> compiled Snapshot. Errors are ConfigError with one line per
// problem, each naming the path (`routes.support-triage.targets[1]: unknown deployment "x"`).

import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { zodProblems } from './zod-problems.js';
import { configSchema, type Config } from './schema.js';
import { protectRefs, resolveRefs } from './env.js';
import { compileSnapshot } from './compile.js';
import type { Snapshot } from './snapshot.js';

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[], source?: string) {
    super(`invalid configuration${source ? ` in ${source}` : ''}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export { formatPath } from './zod-problems.js';

export function parseConfigText(text: string, source?: string, env: NodeJS.ProcessEnv = process.env): Config {
  let raw: unknown;
  const protectedText = protectRefs(text);
  try {
    raw = parseYaml(protectedText.text, { prettyErrors: true });
  } catch (e) {
    const msg = e instanceof YAMLParseError ? e.message.split('\n')[0]! : String(e);
    throw new ConfigError([`YAML syntax: ${msg}`], source);
  }
  if (raw === null || raw === undefined) throw new ConfigError(['the file is empty'], source);
  const missing: string[] = [];
  const interpolated = resolveRefs(raw, protectedText.refs, env, missing);
  if (missing.length > 0) {
    throw new ConfigError(missing.map((m) => `${m}: environment variable is not set (use \${VAR:-default} for a default)`), source);
  }
  const result = configSchema.safeParse(interpolated);
  if (!result.success) throw new ConfigError(zodProblems(result.error, configSchema, interpolated), source);
  return result.data;
}

export function loadSnapshotFromText(text: string, options: { source?: string; version?: number; env?: NodeJS.ProcessEnv } = {}): Snapshot {
  const env = options.env ?? process.env;
  const config = parseConfigText(text, options.source, env);
  const { snapshot, problems } = compileSnapshot(config, { version: options.version ?? 1, env, source: options.source });
  if (problems.length > 0) throw new ConfigError(problems, options.source);
  return snapshot;
}

export function loadSnapshotFromFile(file: string, options: { version?: number; env?: NodeJS.ProcessEnv } = {}): Snapshot {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([`cannot read ${file}: ${(e as Error).message}`]);
  }
  return loadSnapshotFromText(text, { ...options, source: file });
}
