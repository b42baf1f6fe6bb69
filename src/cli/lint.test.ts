import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintText, lintPaths } from './lint.js';

const KNOWN = new Set(['acme-large-2']);

test('finds catalog model ids and well-known family ids in string literals', () => {
  const src = [
    `const a = client.chat({ model: 'support-triage' });`,
    `const b = client.chat({ model: "gpt-4o-mini" });`,
    `const c = { model: \`claude-sonnet-4-5\` };`,
    `const d = 'acme-large-2';`,
    `const e = 'qwen3-max'; const f = 'qwen';`,
    `// modelplane-lint-ignore`,
    `const g = 'gemini-2.5-pro';`,
    `const h = 'gemini-2.5-flash'; // modelplane-lint-ignore`,
  ].join('\n');
  const found = lintText(src, 'app.ts', KNOWN).map((f) => `${f.line}:${f.literal}`);
  assert.deepEqual(found, ['2:gpt-4o-mini', '3:claude-sonnet-4-5', '4:acme-large-2', '5:qwen3-max']);
});

test('the project itself passes its own linter', () => {
  assert.deepEqual(lintPaths(['src', 'testkit', 'bench']), []);
});
