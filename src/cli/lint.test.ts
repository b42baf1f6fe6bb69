import { projectRoot } from '../../testkit/fixtures.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Validator } from '@cfworker/json-schema';
import { makeTree, runCli } from '../lint/testing/tree.js';
import { repoRoot } from '../lint/testing/corpus.js';

const APP = `import OpenAI from 'openai';\nconst client = new OpenAI();\nexport const ask = () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] });\n// we call opus for the hard ones\n`;
const GATEWAY = `providers:\n  openai: { preset: openai }\ndeployments:\n  mini: { provider: openai, model: gpt-4o-mini }\n  big: { provider: openai, model: gpt-4.1 }\n  big2: { provider: openai, model: gpt-4.1, tier: big }\nroutes:\n  support-triage: { targets: [mini] }\n  heavy: { targets: [big] }\n  heavy-tier: { tier: big }\n  smart: { strategy: auto, tiers: [small, big] }\n`;

test('exit 0 and a summary on a clean tree; 1 with file:line:col, rule and suggestion on findings', (t) => {
  const tree = makeTree({ 'src/ok.ts': `export const route = 'support-triage';\n`, 'src/app.ts': APP });
  t.after(() => tree.remove());
  const clean = runCli(tree.dir, ['src/ok.ts']);
  assert.equal(clean.code, 0);
  assert.match(clean.stdout, /1 file\(s\) scanned; no model ids found/);
  const r = runCli(tree.dir, []);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^src\/app\.ts:3:67: error model id "gpt-4o-mini" in application code \[catalog-model-id\]$/m);
  assert.match(r.stdout, /-> call a route .*provider: openai, model: gpt-4o-mini/);
  assert.match(r.stdout, /^src\/app\.ts:4:12: warning comment names model "opus" \[prose-model-mention\]$/m);
  assert.match(r.stdout, /1 error\(s\), 1 warning\(s\)/);
  assert.doesNotMatch(r.stdout, /\u001b\[/, 'no colour when not a terminal');
  assert.match(runCli(tree.dir, [], { isTty: true }).stdout, /\u001b\[31merror/);
});

test('warnings alone exit 0 unless --fail-on warning', (t) => {
  const tree = makeTree({ 'a.py': `# the sonnet route is slower\nROUTE = "support-triage"\n` });
  t.after(() => tree.remove());
  assert.equal(runCli(tree.dir, []).code, 0);
  assert.equal(runCli(tree.dir, ['--fail-on', 'warning']).code, 1);
});

test('usage errors: one line naming the problem, exit 2', (t) => {
  const tree = makeTree({ 'a.ts': APP });
  t.after(() => tree.remove());
  const cases: Array<[string[], RegExp]> = [
    [['--bogus'], /^modelplane lint: unknown option --bogus \(see modelplane lint --help\)\n$/],
    [['-z'], /^modelplane lint: unknown option -z /],
    [['--fromat', 'json'], /^modelplane lint: unknown option --fromat \(did you mean --format\?\)\n$/],
    [['--stagged'], /^modelplane lint: unknown option --stagged \(did you mean --staged\?\)\n$/],
    [['does/not/exist'], /^modelplane lint: path does not exist: does\/not\/exist\n$/],
    [['--format', 'xml'], /^modelplane lint: unknown format "xml" \(expected text, json, sarif, github\)\n$/],
    [['--format'], /^modelplane lint: option --format needs a value\n$/],
    [['--fail-on', 'info'], /--fail-on expects error or warning/],
    [['--staged', '--diff', 'main'], /give --staged or --diff BASE, not both/],
    [['--config', 'missing.yaml'], /cannot read gateway config .*missing\.yaml/],
    [['--lint-config', 'nope.yaml'], /lint config .*nope\.yaml does not exist/],
    [['--fix'], /--fix needs a gateway config/],
  ];
  for (const [args, re] of cases) {
    const r = runCli(tree.dir, args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
  }
});

test('--help prints usage and exits 0', () => {
  const r = runCli(process.cwd(), ['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^usage: modelplane lint \[options\] \[PATH \.\.\.\]/);
  for (const flag of ['--format', '--staged', '--diff BASE', '--write-baseline', '--fix', '--config']) assert.ok(r.stdout.includes(flag), flag);
});

test('--list-rules: built-in, meta and user rules, with disabled ones marked', (t) => {
  const tree = makeTree({ '.modelplane-lint.yaml': "rules:\n  disable: [xai-grok]\n  add:\n    - { id: acme, pattern: '^acme-[0-9]', description: Acme models }\n" });
  t.after(() => tree.remove());
  const r = runCli(tree.dir, ['--list-rules']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^catalog-model-id +error +A model id listed in the provider catalog$/m);
  assert.match(r.stdout, /^prose-model-mention +warning /m);
  assert.match(r.stdout, /^xai-grok +error +\(disabled\) xAI Grok models$/m);
  assert.match(r.stdout, /^acme +error +Acme models$/m);
});

test('--format json: stable fields, summary, and the exit code still says findings', (t) => {
  const tree = makeTree({ 'a.ts': APP });
  t.after(() => tree.remove());
  const r = runCli(tree.dir, ['--format', 'json']);
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.stdout) as { version: number; summary: Record<string, number>; findings: Array<Record<string, unknown>> };
  assert.equal(doc.version, 1);
  assert.deepEqual(doc.summary, { filesScanned: 1, errors: 1, warnings: 1, baselined: 0, staleBaseline: 0, fixed: 0 });
  const f = doc.findings[0]!;
  assert.deepEqual(Object.keys(f), ['file', 'line', 'column', 'endColumn', 'ruleId', 'severity', 'id', 'message', 'suggestion', 'fingerprint']);
  assert.deepEqual([f.file, f.line, f.column, f.endColumn, f.ruleId, f.severity, f.id], ['a.ts', 3, 67, 78, 'catalog-model-id', 'error', 'gpt-4o-mini']);
  assert.match(String(f.fingerprint), /^[0-9a-f]{32}$/);
});

function sarifValidator(): Validator {
  const schema = JSON.parse(readFileSync(join(projectRoot(), 'testkit', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown>;
  return new Validator(schema, '4', false);
}

test('--format sarif validates against the SARIF 2.1.0 schema, with rules, locations and fingerprints', (t) => {
  const tree = makeTree({ 'src/a.ts': APP, 'settings.py': `MODEL = "claude-sonnet-4-5"  # modelplane-lint-ignore\n` });
  t.after(() => tree.remove());
  const r = runCli(tree.dir, ['--format', 'sarif']);
  assert.equal(r.code, 1);
  const log = JSON.parse(r.stdout) as {
    version: string;
    runs: Array<{ tool: { driver: { name: string; rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; ruleIndex: number; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }>; partialFingerprints: Record<string, string> }> }>;
  };
  const v = sarifValidator();
  const verdict = v.validate(log);
  assert.equal(verdict.valid, true, JSON.stringify(verdict.errors.slice(0, 3)));
  const run = log.runs[0]!;
  assert.equal(log.version, '2.1.0');
  assert.equal(run.tool.driver.name, 'modelplane-lint');
  assert.equal(run.results.length, 4);
  for (const res of run.results) {
    assert.equal(run.tool.driver.rules[res.ruleIndex]!.id, res.ruleId);
    assert.match(res.partialFingerprints['modelplaneFinding/v1']!, /^[0-9a-f]{32}$/);
  }
  const first = run.results.find((x) => x.ruleId === 'catalog-model-id' && x.locations[0]!.physicalLocation.artifactLocation.uri === 'src/a.ts')!;
  assert.deepEqual(first.locations[0]!.physicalLocation.region, { startLine: 3, startColumn: 67, endColumn: 78 });
  assert.ok(run.results.some((x) => x.ruleId === 'suppression-without-reason' && x.level === 'error'));
  assert.ok(run.results.some((x) => x.ruleId === 'prose-model-mention' && x.level === 'warning'));
  // The validator is not a rubber stamp: a result without a message is rejected.
  const broken = structuredClone(log) as unknown as { runs: Array<{ results: Array<Record<string, unknown>> }> };
  delete broken.runs[0]!.results[0]!.message;
  assert.equal(v.validate(broken).valid, false);
});

test('--format github: workflow annotations with escaped properties; --output writes the report to a file', (t) => {
  const tree = makeTree({ 'a,b.ts': `const m = 'gpt-4o-mini';\n` });
  t.after(() => tree.remove());
  const r = runCli(tree.dir, ['--format', 'github']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^::error file=a%2Cb\.ts,line=1,col=12,endColumn=23,title=modelplane lint \(catalog-model-id\)::model id "gpt-4o-mini" in application code%3A|^::error file=a%2Cb\.ts,line=1,col=12,endColumn=23,title=modelplane lint \(catalog-model-id\)::model id "gpt-4o-mini" in application code: /m);
  const out = runCli(tree.dir, ['--format', 'sarif', '--output', 'report.sarif']);
  assert.equal(out.code, 1);
  assert.match(out.stdout, /^modelplane lint: 1 file\(s\) scanned; 1 error\(s\), 0 warning\(s\)\n$/);
  assert.equal((JSON.parse(readFileSync(join(tree.dir, 'report.sarif'), 'utf8')) as { version: string }).version, '2.1.0');
  runCli(tree.dir, ['--format', 'json', '--output', 'report.json']);
  assert.match(runCli(tree.dir, ['--format', 'json', '--output', 'report.json']).stdout, /1 file\(s\) scanned/, 'the previous report is not scanned');
});

test('--config: the gateway config is skipped and names the routes serving each model; --fix rewrites unambiguous literals', (t) => {
  const tree = makeTree({
    'infra/prod.yaml': GATEWAY,
    'app.ts': `const a = 'gpt-4o-mini';\nconst b = "gpt-4.1";\nconst c = 'deepseek-chat';\nconst d = \`prefix gpt-4o-mini\`;\n`,
  });
  t.after(() => tree.remove());
  const r = runCli(tree.dir, ['--config', 'infra/prod.yaml', '--format', 'json']);
  const doc = JSON.parse(r.stdout) as { summary: { filesScanned: number }; findings: Array<{ line: number; suggestion: string }> };
  assert.equal(doc.summary.filesScanned, 1, 'the gateway config itself is not scanned');
  assert.deepEqual(
    doc.findings.map((f) => [f.line, f.suggestion]),
    [
      [1, 'use route "support-triage"'],
      [2, 'use one of the routes "heavy", "heavy-tier", "smart"'],
      [3, 'no route in infra/prod.yaml serves this model: add a deployment { provider: deepseek, model: deepseek-chat } and a route that targets it'],
      [4, 'use route "support-triage"'],
    ],
  );
  tree.write('infra/staging.yaml', `providers: { d: { preset: deepseek } }\ndeployments:\n  ds: { provider: d, model: deepseek-chat }\nroutes:\n  cheap-chat: { targets: [ds] }\n`);
  const both = JSON.parse(runCli(tree.dir, ['--config', 'infra/prod.yaml', '--config', 'infra/staging.yaml', '--format', 'json']).stdout) as typeof doc;
  assert.equal(both.findings[2]!.suggestion, 'use route "cheap-chat"', 'several configs: routes from any of them');
  assert.equal(both.summary.filesScanned, 1);
  const fixed = runCli(tree.dir, ['--config', 'infra/prod.yaml', '--fix']);
  assert.equal(fixed.code, 1, 'the ambiguous and unserved ones remain');
  assert.match(fixed.stdout, /1 literal\(s\) rewritten to route names/);
  assert.equal(readFileSync(join(tree.dir, 'app.ts'), 'utf8'), `const a = 'support-triage';\nconst b = "gpt-4.1";\nconst c = 'deepseek-chat';\nconst d = \`prefix gpt-4o-mini\`;\n`);
});

test('gateway configs found by name or shape are skipped without --config; one by name in the working directory gives suggestions', (t) => {
  const tree = makeTree({ 'modelplane.yaml': GATEWAY, 'deploy/whatever.yml': GATEWAY, 'deploy/values.yaml': `model: gpt-4o-mini\n` });
  t.after(() => tree.remove());
  const doc = JSON.parse(runCli(tree.dir, ['--format', 'json']).stdout) as { findings: Array<{ file: string; suggestion: string }> };
  assert.deepEqual(doc.findings.map((f) => [f.file, f.suggestion]), [['deploy/values.yaml', 'use route "support-triage"']]);
  assert.deepEqual((doc as unknown as { gatewayConfigsSkipped: string[] }).gatewayConfigsSkipped, ['deploy/whatever.yml', 'modelplane.yaml']);
});

test('.gitignore (nested, with negation) and .modelplane-lint.yaml ignores, allowed ids and user rules', (t) => {
  const tree = makeTree({
    '.git/HEAD': 'ref: refs/heads/main\n',
    '.gitignore': 'build/\n*.gen.ts\n',
    'build/out.js': `x = 'gpt-4o-mini'\n`,
    'src/a.gen.ts': `x = 'gpt-4o-mini'\n`,
    'src/keep/.gitignore': '!b.gen.ts\n',
    'src/keep/b.gen.ts': `x = 'gpt-4.1'\n`,
    'vendor-data/ids.json': `["gpt-4.1"]\n`,
    'src/app.py': `A = "claude-haiku-4-5"\nB = "acme-large-7"\nC = "gemini-2.5-pro"\n`,
    '.modelplane-lint.yaml': [
      'ignore:',
      '  - { path: vendor-data/, reason: third-party data we do not control }',
      'allow:',
      '  - { id: claude-haiku-4-5, reason: the eval harness pins it on purpose }',
      'rules:',
      '  disable: [google-gemini, catalog-model-id]',
      '  add:',
      "    - { id: acme-models, pattern: '^acme-(large|small)-[0-9]+$', provider: acme }",
      '',
    ].join('\n'),
  });
  t.after(() => tree.remove());
  const doc = JSON.parse(runCli(tree.dir, ['--format', 'json']).stdout) as { findings: Array<{ file: string; id: string; ruleId: string; suggestion: string }> };
  assert.deepEqual(doc.findings.map((f) => `${f.file} ${f.id} ${f.ruleId}`), ['src/app.py acme-large-7 acme-models', 'src/keep/b.gen.ts gpt-4.1 openai-gpt']);
  assert.match(doc.findings[0]!.suggestion, /provider: acme, model: acme-large-7/);
  assert.equal(runCli(tree.dir, ['--no-gitignore', '--format', 'json']).stdout.includes('build/out.js'), true);
});

test('a lint config with an exception but no reason, or an unknown key, is a configuration error', (t) => {
  const tree = makeTree({ 'a.ts': '', '.modelplane-lint.yaml': 'ignore:\n  - path: src/\n' });
  t.after(() => tree.remove());
  const r = runCli(tree.dir, []);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^modelplane lint: .*\.modelplane-lint\.yaml: ignore\.0\.reason: /);
  tree.write('.modelplane-lint.yaml', 'ignores: []\n');
  assert.equal(runCli(tree.dir, []).code, 2);
  tree.write('.modelplane-lint.yaml', "rules:\n  add:\n    - { id: bad, pattern: '(' }\n");
  assert.match(runCli(tree.dir, []).stderr, /rules\.add\.0\.pattern: /);
});

test('baseline: recorded findings pass, new ones fail, and rewriting it only ever shrinks it', (t) => {
  const tree = makeTree({ 'a.ts': `const a = 'gpt-4o-mini';\nconst b = 'gpt-4.1';\n` });
  t.after(() => tree.remove());
  const w = runCli(tree.dir, ['--write-baseline']);
  assert.equal(w.code, 0);
  assert.match(w.stdout, /baseline written to \.modelplane-lint-baseline\.json/);
  const baseline = JSON.parse(readFileSync(join(tree.dir, '.modelplane-lint-baseline.json'), 'utf8')) as { findings: unknown[] };
  assert.equal(baseline.findings.length, 2);
  assert.equal(runCli(tree.dir, []).code, 0, 'known findings do not fail');
  // Lines move: fingerprints do not depend on line numbers.
  tree.write('a.ts', `// moved\nconst a = 'gpt-4o-mini';\nconst b = 'gpt-4.1';\nconst c = 'gpt-4.1-nano';\n`);
  const r = runCli(tree.dir, ['--format', 'json']);
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.stdout) as { summary: { baselined: number }; findings: Array<{ id: string }> };
  assert.deepEqual(doc.findings.map((f) => f.id), ['gpt-4.1-nano']);
  assert.equal(doc.summary.baselined, 2);
  assert.equal(runCli(tree.dir, ['--no-baseline']).code, 1);
  // Rewriting cannot wave the new finding through.
  const rewrite = runCli(tree.dir, ['--write-baseline']);
  assert.equal(rewrite.code, 1);
  assert.equal((JSON.parse(readFileSync(join(tree.dir, '.modelplane-lint-baseline.json'), 'utf8')) as { findings: unknown[] }).findings.length, 2);
  // Fixing one lets the baseline shrink.
  tree.write('a.ts', `const a = 'gpt-4o-mini';\n`);
  assert.match(runCli(tree.dir, []).stdout, /1 baseline entry is fixed: run --write-baseline to shrink it/);
  runCli(tree.dir, ['--write-baseline']);
  assert.equal((JSON.parse(readFileSync(join(tree.dir, '.modelplane-lint-baseline.json'), 'utf8')) as { findings: unknown[] }).findings.length, 1);
});

test('the project passes its own linter, tests included (its exceptions live in .modelplane-lint.yaml)', () => {
  const r = runCli(repoRoot(), []);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /no model ids found/);
});

test('through the real binary: exit codes 0, 1 and 2 and where the messages go', (t) => {
  const tree = makeTree({ 'ok.ts': `export const r = 'support-triage';\n`, 'bad.py': `M = "gpt-4.1"\n` });
  t.after(() => tree.remove());
  const bin = join(repoRoot(), 'bin', 'modelplane.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'lint', ...args], { cwd: tree.dir, encoding: 'utf8' });
  const clean = run('ok.ts');
  assert.equal(clean.status, 0, clean.stderr);
  const dirty = run();
  assert.equal(dirty.status, 1);
  assert.match(dirty.stdout, /^bad\.py:1:6: error model id "gpt-4\.1"/m);
  const usage = run('--nope');
  assert.equal(usage.status, 2);
  assert.equal(usage.stdout, '');
  assert.equal(usage.stderr, 'modelplane lint: unknown option --nope (see modelplane lint --help)\n');
  const missing = run('nowhere');
  assert.equal(missing.status, 2);
  assert.doesNotMatch(missing.stderr, /\n\s+at /, 'no stack trace');
});
