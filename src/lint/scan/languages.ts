// One lexer table per language family, and which files belong to which family. Adding a language
// is adding a row here.

import { basename, extname } from 'node:path';
import type { StringDelimiter, Syntax } from './lexer.js';

const q = (open: string, multiline = false, escapes = true, close = open): StringDelimiter => ({ open, close, multiline, escapes });
const C_BLOCK: ReadonlyArray<readonly [string, string]> = [['/*', '*/']];

const base = { bareIsValue: false, hashAfterSpace: false };

export const SYNTAX = {
  js: { ...base, name: 'javascript', lineComments: ['//'], blockComments: C_BLOCK, strings: [q('"'), q("'"), q('`', true)] },
  /** Java, Kotlin, Scala, Swift, C#, Dart, Groovy: `"""` text blocks, `'c'` chars. */
  jvm: { ...base, name: 'c-family', lineComments: ['//'], blockComments: C_BLOCK, strings: [q('"""', true), q('"'), q("'")] },
  c: { ...base, name: 'c', lineComments: ['//'], blockComments: C_BLOCK, strings: [q('"'), q("'")] },
  go: { ...base, name: 'go', lineComments: ['//'], blockComments: C_BLOCK, strings: [q('"'), q('`', true, false), q("'")] },
  /** Rust: `'a` is a lifetime as often as a char, so single quotes are not strings here. */
  rust: { ...base, name: 'rust', lineComments: ['//'], blockComments: C_BLOCK, strings: [q('r#"', true, false, '"#'), q('"', true)] },
  php: { ...base, name: 'php', lineComments: ['//', '#'], blockComments: C_BLOCK, strings: [q('"', true), q("'", true)] },
  python: { ...base, name: 'python', lineComments: ['#'], blockComments: [], strings: [q('"""', true), q("'''", true), q('"'), q("'")] },
  ruby: { ...base, name: 'ruby', lineComments: ['#'], blockComments: [['=begin', '=end']], blockAtLineStart: true, strings: [q('"', true), q("'", true), q('`')] },
  shell: { name: 'shell', lineComments: ['#'], blockComments: [], strings: [q('"', true), q("'", true, false)], bareIsValue: true, hashAfterSpace: true },
  yaml: { name: 'yaml', lineComments: ['#'], blockComments: [], strings: [q('"'), q("'", false, false)], bareIsValue: true, hashAfterSpace: true },
  toml: { name: 'toml', lineComments: ['#'], blockComments: [], strings: [q('"""', true), q("'''", true, false), q('"'), q("'", false, false)], bareIsValue: true, hashAfterSpace: true },
  /** `.env`, `.ini`, `.properties`, `.cfg`, Dockerfile, Makefile: `KEY=value` lines. */
  settings: { name: 'settings', lineComments: ['#', ';'], blockComments: [], strings: [q('"'), q("'", false, false)], bareIsValue: true, hashAfterSpace: true },
  hcl: { name: 'hcl', lineComments: ['#', '//'], blockComments: C_BLOCK, strings: [q('"')], bareIsValue: false, hashAfterSpace: false },
  /** JSON, JSONC, JSON5 and notebooks (cells are JSON strings). */
  json: { ...base, name: 'json', lineComments: ['//'], blockComments: C_BLOCK, strings: [q('"'), q("'")] },
  sql: { ...base, name: 'sql', lineComments: ['--'], blockComments: C_BLOCK, strings: [q("'"), q('"')] },
  lua: { ...base, name: 'lua', lineComments: ['--'], blockComments: [['--[[', ']]']], strings: [q('"'), q("'"), q('[[', true, false, ']]')] },
  markup: { ...base, name: 'markup', lineComments: [], blockComments: [['<!--', '-->']], strings: [q('"', true, false), q("'", true, false)] },
  /** Unknown code-block languages: everything is a value. */
  plain: { name: 'plain', lineComments: [], blockComments: [], strings: [], bareIsValue: true, hashAfterSpace: false },
} satisfies Record<string, Syntax>;

export type SyntaxName = keyof typeof SYNTAX;
/** Files handled by a container scanner rather than a single lexer table. */
export type ContainerKind = 'markdown' | 'sfc' | 'notebook';

const BY_EXTENSION: Record<string, SyntaxName | ContainerKind> = {
  '.ts': 'js', '.tsx': 'js', '.js': 'js', '.jsx': 'js', '.mjs': 'js', '.cjs': 'js', '.mts': 'js', '.cts': 'js',
  '.vue': 'sfc', '.svelte': 'sfc', '.astro': 'sfc', '.html': 'sfc', '.htm': 'sfc',
  '.py': 'python', '.pyi': 'python', '.ipynb': 'notebook',
  '.go': 'go', '.rs': 'rust', '.php': 'php', '.rb': 'ruby', '.rake': 'ruby',
  '.java': 'jvm', '.kt': 'jvm', '.kts': 'jvm', '.scala': 'jvm', '.groovy': 'jvm', '.gradle': 'jvm', '.swift': 'jvm', '.cs': 'jvm', '.dart': 'jvm',
  '.c': 'c', '.h': 'c', '.cc': 'c', '.cpp': 'c', '.hpp': 'c', '.m': 'c', '.mm': 'c', '.zig': 'c',
  '.sh': 'shell', '.bash': 'shell', '.zsh': 'shell', '.fish': 'shell', '.ps1': 'shell',
  '.yaml': 'yaml', '.yml': 'yaml', '.toml': 'toml', '.json': 'json', '.jsonc': 'json', '.json5': 'json',
  '.env': 'settings', '.ini': 'settings', '.cfg': 'settings', '.conf': 'settings', '.properties': 'settings',
  '.tf': 'hcl', '.tfvars': 'hcl', '.hcl': 'hcl', '.sql': 'sql', '.lua': 'lua',
  '.md': 'markdown', '.mdx': 'markdown', '.markdown': 'markdown',
};

const BY_NAME: Record<string, SyntaxName> = {
  dockerfile: 'settings', containerfile: 'settings', makefile: 'settings', gemfile: 'ruby', rakefile: 'ruby', procfile: 'settings',
};

/** The scanner for a file path, or undefined when the file is not one we read. */
export function syntaxForPath(path: string): SyntaxName | ContainerKind | undefined {
  const name = basename(path).toLowerCase();
  // `.env`, `.env.local`, `.env.production`, `app.env`, `.envrc`.
  if (name === '.env' || name.startsWith('.env.') || name === '.envrc' || name.endsWith('.env')) return 'settings';
  if (BY_NAME[name]) return BY_NAME[name];
  if (name.startsWith('dockerfile.') || name.endsWith('.dockerfile')) return 'settings';
  return BY_EXTENSION[extname(name)];
}

/** Markdown fence info strings and `<script lang>` values. */
const BY_LANGUAGE: Record<string, SyntaxName> = {
  js: 'js', javascript: 'js', ts: 'js', typescript: 'js', jsx: 'js', tsx: 'js', mjs: 'js', node: 'js',
  py: 'python', python: 'python', python3: 'python', ipython: 'python', go: 'go', golang: 'go', rust: 'rust', rs: 'rust',
  java: 'jvm', kotlin: 'jvm', kt: 'jvm', scala: 'jvm', swift: 'jvm', csharp: 'jvm', cs: 'jvm', 'c#': 'jvm', dart: 'jvm', groovy: 'jvm',
  c: 'c', cpp: 'c', 'c++': 'c', php: 'php', ruby: 'ruby', rb: 'ruby',
  sh: 'shell', bash: 'shell', shell: 'shell', zsh: 'shell', console: 'shell', shellsession: 'shell', powershell: 'shell',
  yaml: 'yaml', yml: 'yaml', toml: 'toml', json: 'json', jsonc: 'json', json5: 'json', env: 'settings', dotenv: 'settings', ini: 'settings',
  dockerfile: 'settings', docker: 'settings', properties: 'settings', hcl: 'hcl', terraform: 'hcl', tf: 'hcl', sql: 'sql', lua: 'lua',
  html: 'markup', xml: 'markup', vue: 'markup', svelte: 'markup',
};

export function syntaxForLanguage(lang: string): Syntax {
  return SYNTAX[BY_LANGUAGE[lang.toLowerCase()] ?? 'plain'];
}
