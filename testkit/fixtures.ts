// Locates provider responses for replay tests, from two places:
// - the captured upstream wire bytes in ../shared/fixtures/upstream (never copied into this
//   repository). A user's clone has no ../shared: callers check `hasFixtures()` and skip, saying so;
// - our own documented-shape responses in testkit/fixtures-own/ (written by hand from each
//   provider's public API reference; see its README), always present. Their paths start with
//   `own/` (`own/anthropic/messages-text.json`), so every helper below reads either kind.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Project root, found from this file whether it runs from testkit/ or dist/testkit/. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('modelplane: cannot find the project root from ' + import.meta.url);
}

export function fixturesDir(): string {
  return process.env.MODELPLANE_FIXTURES ?? resolve(projectRoot(), '..', 'shared', 'fixtures', 'upstream');
}

export function hasFixtures(): boolean {
  return existsSync(join(fixturesDir(), 'SOURCES.md'));
}

/** For node:test `skip`: false when the fixtures exist, otherwise the reason. */
export const SKIP_NO_FIXTURES: false | string = hasFixtures()
  ? false
  : `captured fixtures not found at ${fixturesDir()} (set MODELPLANE_FIXTURES); skipped`;

/** The prefix of paths into testkit/fixtures-own/. */
export const OWN = 'own/';

export function ownFixturesDir(): string {
  return join(projectRoot(), 'testkit', 'fixtures-own');
}

/** Whether `rel` names one of our own fixtures (present on every clone). */
export function isOwnFixture(rel: string): boolean {
  return rel.startsWith(OWN);
}

/** Whether the fixture `rel` can be read here: own ones always, captures when ../shared exists. */
export function fixtureAvailable(rel: string): boolean {
  return isOwnFixture(rel) || hasFixtures();
}

export function fixturePath(rel: string): string {
  return isOwnFixture(rel) ? join(ownFixturesDir(), rel.slice(OWN.length)) : join(fixturesDir(), rel);
}

export function readFixture(rel: string): Buffer {
  return readFileSync(fixturePath(rel));
}

export function readFixtureText(rel: string): string {
  return readFileSync(fixturePath(rel), 'utf8');
}

export function readFixtureJson(rel: string): unknown {
  return JSON.parse(readFixtureText(rel));
}

/** `.chunks.txt`: one JSON payload per line. */
export function readChunks(rel: string): unknown[] {
  return readFixtureText(rel)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}
