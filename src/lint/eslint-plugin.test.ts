// The ESLint rule is tested through a small harness that plays ESLint's part: it builds a
// RuleContext, calls create(), runs the Program visitor, interpolates messages the way ESLint does
// and applies fixes. This keeps eslint out of the dependencies; the rule uses no AST nodes (it scans
// the source text with the CLI's own scanner), so a parser would add nothing to the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import plugin, { noModelIds, type RuleContextLike } from './eslint-plugin.js';
import { makeTree } from './testing/tree.js';

interface Reported {
  line: number;
  column: number;
  endColumn: number;
  messageId: string;
  message: string;
  fixed?: string;
}

function runRule(text: string, opts: { filename: string; cwd: string; options?: unknown[]; eslint8?: boolean }): Reported[] {
  const out: Reported[] = [];
  const report: RuleContextLike['report'] = (d) => {
    const template = noModelIds.meta.messages[d.messageId];
    // ESLint leaves unknown placeholders in place; a test should catch any the data lacks.
    const message = template.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, k: string) => d.data[k] ?? m);
    assert.doesNotMatch(message, /\{\{/, `message ${d.messageId} has a placeholder without data`);
    let fixed: string | undefined;
    if (d.fix) {
      const edit = d.fix({ replaceTextRange: (range, t) => ({ range, text: t }) }) as { range: [number, number]; text: string };
      fixed = text.slice(0, edit.range[0]) + edit.text + text.slice(edit.range[1]);
    }
    out.push({ line: d.loc.start.line, column: d.loc.start.column, endColumn: d.loc.end.column, messageId: d.messageId, message, ...(fixed !== undefined ? { fixed } : {}) });
  };
  const context: RuleContextLike = opts.eslint8
    ? { getFilename: () => opts.filename, getCwd: () => opts.cwd, getSourceCode: () => ({ text }), options: opts.options ?? [], report }
    : { filename: opts.filename, cwd: opts.cwd, sourceCode: { text }, options: opts.options ?? [], report };
  const visitors = noModelIds.create(context) as { Program?: () => void };
  visitors.Program?.();
  return out;
}

test('reports ids with ESLint locations (1-based lines, 0-based columns) and the same messages as the CLI', (t) => {
  const tree = makeTree();
  t.after(() => tree.remove());
  const src = `const m = 'gpt-4o';\n// we call opus here\nconst n = 'x'; // modelplane-lint-ignore\n`;
  const r = runRule(src, { filename: `${tree.dir}/src/app.ts`, cwd: tree.dir });
  assert.deepEqual(
    r.map(({ line, column, endColumn, messageId }) => [line, column, endColumn, messageId]),
    [[1, 11, 17, 'modelId'], [2, 11, 15, 'prose'], [3, 18, 40, 'suppression']],
  );
  assert.match(r[0]!.message, /^model id "gpt-4o" in application code: call a route/);
  assert.equal(r.some((x) => x.fixed !== undefined), false, 'no fix without a gateway config');
  const noProse = runRule(src, { filename: `${tree.dir}/src/app.ts`, cwd: tree.dir, options: [{ prose: false }] });
  assert.deepEqual(noProse.map((x) => x.messageId), ['modelId', 'suppression']);
});

test('ESLint 8 context methods, virtual filenames scanned as JavaScript, and the project ignore list', (t) => {
  const tree = makeTree({ '.modelplane-lint.yaml': 'ignore:\n  - { path: generated/, reason: produced by the SDK generator }\n' });
  t.after(() => tree.remove());
  assert.equal(runRule(`x = 'claude-opus-4-1'`, { filename: `${tree.dir}/a.js`, cwd: tree.dir, eslint8: true }).length, 1);
  assert.equal(runRule(`x = 'claude-opus-4-1'`, { filename: '<input>', cwd: tree.dir }).length, 1);
  assert.equal(runRule(`x = 'claude-opus-4-1'`, { filename: `${tree.dir}/generated/client.ts`, cwd: tree.dir }).length, 0);
});

test('with a gateway config: suggests the route, and fixes a literal exactly one route serves', (t) => {
  const tree = makeTree({
    'gw.yaml': 'providers: { o: { preset: openai } }\ndeployments:\n  mini: { provider: o, model: gpt-4o-mini }\nroutes:\n  support-triage: { targets: [mini] }\n',
  });
  t.after(() => tree.remove());
  const src = `const a = client.chat({ model: 'gpt-4o-mini' });\nconst b = \`gpt-4o-mini \${x}\`;\n`;
  const r = runRule(src, { filename: `${tree.dir}/a.ts`, cwd: tree.dir, options: [{ config: 'gw.yaml' }] });
  assert.equal(r.length, 2);
  assert.match(r[0]!.message, /: use route "support-triage"$/);
  assert.equal(r[0]!.fixed, `const a = client.chat({ model: 'support-triage' });\nconst b = \`gpt-4o-mini \${x}\`;\n`);
  assert.equal(r[1]!.fixed, undefined, 'not a whole literal: no fix');
});

test('plugin shape: rule registry, recommended flat config, option schema', () => {
  assert.equal(plugin.rules['no-model-ids'], noModelIds);
  assert.deepEqual((plugin.configs.recommended as { rules: unknown }).rules, { 'modelplane/no-model-ids': 'error' });
  assert.equal(noModelIds.meta.fixable, 'code');
  assert.equal(noModelIds.meta.schema[0]!.additionalProperties, false);
});
