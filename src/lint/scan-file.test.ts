import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDetector } from './detector.js';
import { scanText } from './scan-file.js';

const det = createDetector();
const scan = (file: string, text: string) =>
  scanText(file, text, det, () => ({ text: 'use a route' })).findings.map((f) => `${f.line}:${f.column} ${f.severity === 'error' ? 'E' : 'W'} ${f.id}`);

test('strings, comments and values in each family, at the right line and column', () => {
  assert.deepEqual(scan('a.ts', `const s = "say \\"gpt-4o\\" twice";\n/*\n * was claude-3-opus-20240229\n */\nconst t = \`\${x} gemini-2.0-flash\`;\n`), [
    '1:18 E gpt-4o',
    '3:8 E claude-3-opus-20240229',
    '5:17 E gemini-2.0-flash',
  ]);
  assert.deepEqual(scan('run.sh', `echo $# # count\nexec tool --model gpt-4.1 # or o3-mini\n`), ['2:19 E gpt-4.1', '2:32 E o3-mini']);
  assert.deepEqual(scan('c.yaml', `tag: a#b\nmodel: o1 # reasoning\nlist:\n  - o1\n`), ['2:8 E o1']);
  assert.deepEqual(scan('lib.rb', `=begin\nusing claude-3-haiku-20240307\n=end\nx = 'o'\n`), ['2:7 E claude-3-haiku-20240307']);
  assert.deepEqual(scan('lib.rs', `fn f<'a>(s: &'a str) -> &'a str { "grok-3" }\n`), ['1:36 E grok-3']);
  assert.deepEqual(scan('Main.kt', `val p = """\n  use mistral-small-2503\n"""\n`), ['2:7 E mistral-small-2503']);
  assert.deepEqual(scan('app.env', `MODEL=o3\nNOTE=o3 is a word here\n`), ['1:7 E o3']);
  assert.deepEqual(scan('q.sql', `-- uses deepseek-chat\nSELECT 'x';\n`), ['1:9 E deepseek-chat']);
});

test('files that are not source are not read; gateway configs are skipped by name and by shape', () => {
  assert.deepEqual(scanText('image.png', 'gpt-4o', det, () => ({ text: '' })).skipped, 'not-source');
  assert.deepEqual(scanText('gateway.yaml', 'x: gpt-4o', det, () => ({ text: '' })).skipped, 'gateway-config');
  assert.deepEqual(scanText('ops/prod.yml', 'providers: {}\ndeployments:\n  a: { model: gpt-4o }\nroutes: {}\n', det, () => ({ text: '' })).skipped, 'gateway-config');
});

test('Markdown: code blocks by fence language, not prose; a gateway-config block is skipped', () => {
  const md = ['We like gpt-4o.', '', '```ts', "const m = 'gpt-4.1';", '```', '', '~~~yaml', 'deployments:', '  a: { model: gpt-4.1 }', 'routes: {}', '~~~', '', '```', 'MODEL=o4-mini', '```', ''].join('\n');
  assert.deepEqual(scan('README.md', md), ['4:12 E gpt-4.1', '14:7 E o4-mini']);
});

test('Vue/Svelte/HTML: script blocks as code, template attributes and comments as markup, text not scanned', () => {
  const vue = `<template>\n  <!-- was gpt-4o -->\n  <Chat model="claude-opus-4-1">Ask gemini-2.5-pro</Chat>\n</template>\n<script setup lang="ts">\nconst m = 'o3'; // model picker\nconst model = 'o3';\n</script>\n`;
  assert.deepEqual(scan('Chat.vue', vue), ['2:12 E gpt-4o', '3:16 E claude-opus-4-1', '7:16 E o3']);
});

test('prose mentions in comments are warnings; the bare words are not mentions', () => {
  assert.deepEqual(scan('a.py', `# we call opus here\n# llama and claude and gpt are fine\n# gemini 2.5 pro or Claude 3.7, later\nx = "sonnet"\n`), [
    '1:11 W opus',
    '3:3 W gemini 2.5 pro',
    '3:21 W Claude 3.7',
  ]);
});

test('suppressions: on the line or alone on the line above, with a reason; without one they suppress nothing and are findings', () => {
  const text = [
    "const a = 'gpt-4o'; // modelplane-lint-ignore: the provider's health probe needs it",
    '// modelplane-lint-ignore: pinned for the regression test of issue 88',
    "const b = 'gpt-4o';",
    "const c = 'gpt-4o';",
    "const d = 'gpt-4o'; // modelplane-lint-ignore",
    "const e = 'gpt-4o'; /* modelplane-lint-ignore: */",
    "const f = 'gpt-4o'; // modelplane-lint-ignore: a reason",
    "const g = 'gpt-4o';",
  ].join('\n');
  assert.deepEqual(scan('a.ts', text), ['4:12 E gpt-4o', '5:12 E gpt-4o', '5:24 E modelplane-lint-ignore', '6:12 E gpt-4o', '6:24 E modelplane-lint-ignore', '8:12 E gpt-4o']);
});

test('fingerprints survive moving lines and differ between ids', () => {
  const fp = (text: string) => scanText('a.ts', text, det, () => ({ text: '' })).findings.map((f) => f.fingerprint);
  const [a] = fp(`const m = 'gpt-4o';\n`);
  const [b] = fp(`\n\n// moved\nconst m = 'gpt-4o';\n`);
  const [c] = fp(`const m = 'gpt-4.1';\n`);
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test('URLs are skipped whole (anchors and queries too), except a Vertex model path; opus next to audio formats is a codec', () => {
  assert.deepEqual(
    scan('a.ts', `// https://platform.openai.com/docs/guides/latest-model#gpt-5-1-parameter-compatibility\n// see https://x.test/a?model=gpt-4o&b=1 then gpt-4.1\nconst u = 'https://eu-aiplatform.googleapis.com/v1/projects/p/locations/eu/publishers/google/models/gemini-2.5-pro:generateContent';\n`),
    ['2:47 E gpt-4.1', '3:12 E https://eu-aiplatform.googleapis.com/v1/projects/p/locations/eu/publishers/google/models/gemini-2.5-pro:generateContent'],
  );
  assert.deepEqual(scan('speech.ts', `/** Output format: mp3, opus, aac or flac. */\n// escalate to opus when stuck\n// the opus magnum of parsers, a magnum opus\n`), ['2:16 W opus']);
});

test('notebooks: code cells as Python (comments, whole literals), Markdown cells as Markdown, outputs as JSON strings', () => {
  const nb = JSON.stringify(
    {
      cells: [
        { cell_type: 'markdown', metadata: {}, source: ['# Eval\n', 'We compare gpt-4o with the route.\n', '```python\n', 'm = "gpt-4.1"\n', '```\n'] },
        {
          cell_type: 'code',
          execution_count: 1,
          metadata: {},
          outputs: [{ output_type: 'stream', name: 'stdout', text: ['served by claude-haiku-4-5\n'] }],
          source: ['# we call opus here\n', 'MODEL = "o3"\n', 'label = "o3"\n', 'prompt = """\n', 'ask deepseek-chat\n', '"""'],
        },
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  );
  const lineOf = (needle: string) => nb.split('\n').findIndex((l) => l.includes(needle)) + 1;
  const colOf = (needle: string, id: string) => nb.split('\n')[lineOf(needle) - 1]!.indexOf(id) + 1;
  assert.deepEqual(scan('eval.ipynb', nb), [
    `${lineOf('m = ')}:${colOf('m = ', 'gpt-4.1')} E gpt-4.1`,
    `${lineOf('served by')}:${colOf('served by', 'claude')} E claude-haiku-4-5`,
    `${lineOf('we call')}:${colOf('we call', 'opus')} W opus`,
    `${lineOf('MODEL = ')}:${colOf('MODEL = ', 'o3')} E o3`,
    `${lineOf('ask deepseek')}:${colOf('ask deepseek', 'deepseek')} E deepseek-chat`,
  ]);
});
