// Finding and reading a router: `default` (and `embedder`) are files shipped beside this module's source
// (src/routing/auto/default-router.json, found from dist/ too); anything else is a path,
// relative to the config file's folder. Read once per config load, never per request.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { dataFile } from '../../catalog/index.js';
import { checkModel, type RouterModel } from './model.js';

export const defaultRouterFile = (): string => dataFile('routing', 'auto', 'default-router.json');
/** `router: embedder`: the same data, on the structural features plus the local embedder's vector (shared with the semantic cache). */
export const embedderRouterFile = (): string => dataFile('routing', 'auto', 'embedder-router.json');

export function loadRouter(name: string, configFile: string | undefined): RouterModel {
  const file = name === 'default' ? defaultRouterFile() : name === 'embedder' ? embedderRouterFile() : isAbsolute(name) ? name : resolve(configFile ? dirname(configFile) : process.cwd(), name);
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
