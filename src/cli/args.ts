// Flag parsing for the `modelplane` subcommands. node:util's parseArgs throws an error with a stack
// trace on a typo; a CLI should instead say, in one line, which flag it did not know and which
// one was probably meant, and exit 2 (the convention for usage errors).

import { parseArgs } from 'node:util';
import { nearestName } from '../config/suggest.js';

export { editDistance, nearestName } from '../config/suggest.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in --help, e.g. `FILE` for `--config FILE`. */
  value?: string;
  description: string;
  /** A string flag that may be given more than once (`--log a --log b`): its values are in `Parsed.lists`. */
  multiple?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** The usage line after `modelplane NAME`, e.g. `--config FILE [--port N]`. */
  usage: string;
  flags: Record<string, FlagSpec>;
  /** Name of the positional arguments in --help, when the command takes any. */
  positionals?: string;
  /** Extra lines printed after the flags in --help. */
  notes?: string[];
}

/** A mistake in how the command was invoked: printed as one line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type FlagValues = Record<string, string | boolean | undefined>;

export type Parsed = { help: true } | { help: false; values: FlagValues; positionals: string[]; lists: Record<string, string[]> };

export function parseCommand(spec: CommandSpec, args: string[]): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, f] of Object.entries(spec.flags)) options[name] = { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) };
  // strict: false so that nothing throws; every check parseArgs would make is made here instead,
  // with a message that says what to do.
  const { values, positionals, tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const opt = options[t.name];
    if (!opt) throw new UsageError(`modelplane ${spec.name}: unknown flag ${t.rawName}; ${suggestion(spec, t.name)}`);
    if (opt.type === 'string' && t.value === undefined) throw new UsageError(`modelplane ${spec.name}: ${t.rawName} needs a value (${t.rawName} ${spec.flags[t.name]?.value ?? 'VALUE'})`);
    if (opt.type === 'boolean' && t.inlineValue) throw new UsageError(`modelplane ${spec.name}: ${t.rawName} takes no value`);
  }
  if (values.help === true) return { help: true };
  if (!spec.positionals && positionals.length > 0) {
    throw new UsageError(`modelplane ${spec.name}: unexpected argument "${positionals[0]}" (modelplane ${spec.name} --help shows the usage)`);
  }
  const lists: Record<string, string[]> = {};
  const single: FlagValues = {};
  for (const [name, v] of Object.entries(values)) {
    if (Array.isArray(v)) lists[name] = v.filter((x): x is string => typeof x === 'string');
    else single[name] = v;
  }
  return { help: false, values: single, positionals, lists };
}

function suggestion(spec: CommandSpec, unknown: string): string {
  const names = Object.keys(spec.flags);
  if (names.length === 0) return `modelplane ${spec.name} takes no flags`;
  const nearest = nearestName(unknown, names)!;
  return `did you mean --${nearest}? (modelplane ${spec.name} --help lists every flag)`;
}

export function renderHelp(spec: CommandSpec): string {
  const lines = [`usage: modelplane ${spec.name} ${spec.usage}`.trimEnd(), '', spec.summary, ''];
  const rows: Array<[string, string]> = Object.entries(spec.flags).map(([name, f]) => [
    `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`,
    f.description,
  ]);
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([l]) => l.length));
  lines.push('flags:');
  for (const [l, r] of rows) lines.push(`  ${l.padEnd(width)}  ${r}`);
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return `${lines.join('\n')}\n`;
}

/** A flag that must be a port number. */
export function portFlag(command: string, value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n > 65535) throw new UsageError(`modelplane ${command}: --port expects a number from 0 to 65535, got "${String(value)}"`);
  return n;
}
