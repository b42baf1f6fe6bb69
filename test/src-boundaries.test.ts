// Product code never imports test code: `dist/src` is what ships, and a test helper imported from
// it would ship too (and drag node:assert or an SDK into the gateway). Test helpers live in testkit/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../testkit/fixtures.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.suite.ts') ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g;

/** The module specifiers a file imports that point at test code. */
export function testImports(text: string): string[] {
  return [...text.matchAll(IMPORT)]
    .map((m) => m[1]!)
    .filter((spec) => /(^|\/)(testkit|test)\//.test(spec) || /test-helpers|\.test\.js$|\.suite\.js$|(^|\/)testing\.js$/.test(spec) || spec === 'node:test');
}

test('the detector sees a test import (it can fail)', () => {
  assert.deepEqual(testImports("import { a } from '../../testkit/x.js';\nimport { b } from './y.js';"), ['../../testkit/x.js']);
  assert.deepEqual(testImports("export { c } from './test-helpers.js';"), ['./test-helpers.js']);
});

test('no file under src/ other than tests imports testkit/, test/ or a test helper', () => {
  const root = projectRoot();
  const offenders = sourceFiles(join(root, 'src'))
    .map((f) => ({ file: relative(root, f), imports: testImports(readFileSync(f, 'utf8')) }))
    .filter((o) => o.imports.length > 0);
  assert.deepEqual(offenders, []);
});
