// Finding and reading a router: `default` is the file shipped beside this module's source
// (src/routing/auto/default-router.json, found from dist/ too); anything else is a path,
// relative to the config file's folder. Read once per config load, never per request.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkModel, type RouterModel } from './model.js';

export function defaultRouterFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'src', 'routing', 'auto', 'default-router.json');
    if (existsSync(candidate)) return candidate;
    const beside = join(dir, 'default-router.json');
    if (existsSync(beside)) return beside;
    dir = dirname(dir);
  }
  throw new Error('the shipped router default-router.json was not found');
}

export function loadRouter(name: string, configFile: string | undefined): RouterModel {
  const file = name === 'default' ? defaultRouterFile() : isAbsolute(name) ? name : resolve(configFile ? dirname(configFile) : process.cwd(), name);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read router file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`router file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return checkModel(parsed, file);
}
