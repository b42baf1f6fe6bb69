// The package's version, read from the package.json that ships beside dist/ (so an installed
// tarball reports its own version, not one compiled in).
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  // dist/src/cli/version.js -> package root is three levels up; src/cli/version.ts would be two,
  // but only the compiled file runs.
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'modelplane' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return 'unknown';
}
