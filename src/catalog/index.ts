// Loads the provider catalog (providers.yaml beside this file's source) once, validated.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

const modelSchema = z.strictObject({
  price: z.strictObject({
    input: z.number(),
    output: z.number(),
    cache_read: z.number().optional(),
    cache_write: z.number().optional(),
  }).optional(),
  context_window: z.number().int().positive().optional(),
  max_output_tokens: z.number().int().positive().optional(),
  vision: z.boolean().optional(),
  tools: z.boolean().optional(),
  json_schema: z.boolean().optional(),
  embeddings: z.boolean().optional(),
});

const entrySchema = z.strictObject({
  name: z.string(),
  format: z.enum(['openai-chat', 'anthropic-messages', 'gemini', 'bedrock-converse']),
  base_url: z.string(),
  auth: z.enum(['bearer', 'api-key', 'x-api-key', 'x-goog-api-key', 'sigv4', 'none']),
  api_key_env: z.string().optional(),
  jurisdiction: z.string(),
  /** How long submitted data is kept: none (zero retention), limited (abuse monitoring, ~30 days), standard. */
  retention: z.enum(['none', 'limited', 'standard']).optional(),
  trains_on_data: z.boolean().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  quirks: z.strictObject({
    reasoning_field: z.enum(['reasoning_content', 'reasoning']).optional(),
    max_tokens_field: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
    no_stream_options: z.boolean().optional(),
    unsupported_params: z.array(z.string()).optional(),
    requires_max_tokens: z.boolean().optional(),
  }).optional(),
  notes: z.string().optional(),
  models: z.record(z.string(), modelSchema).optional(),
});

export type CatalogEntry = z.output<typeof entrySchema>;
export type CatalogModel = z.output<typeof modelSchema>;

/**
 * A data file the package ships under src/ (`dataFile('catalog', 'providers.yaml')`). Code runs
 * from src/ (ts sources) or dist/src/ (compiled, and installed packages): data stays in src/, so
 * walk up until `src/<path>` exists.
 */
export function dataFile(...path: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'src', ...path);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`modelplane: data file src/${path.join('/')} not found`);
}

const catalogFile = () => dataFile('catalog', 'providers.yaml');

const familySchema = z.strictObject({
  id: z.string(),
  provider: z.string(),
  description: z.string(),
  whole_literal_only: z.boolean().optional(),
  stems: z.array(z.string()).min(1),
});

export type ModelFamily = z.output<typeof familySchema>;

/** The families of model ids the linter knows (src/catalog/model-families.yaml). */
export function loadModelFamilies(): ModelFamily[] {
  return z.array(familySchema).parse(parse(readFileSync(dataFile('catalog', 'model-families.yaml'), 'utf8')));
}

let cached: ReadonlyMap<string, CatalogEntry> | undefined;

export function loadCatalog(): ReadonlyMap<string, CatalogEntry> {
  if (cached) return cached;
  const raw = parse(readFileSync(catalogFile(), 'utf8')) as unknown;
  const parsed = z.record(z.string(), entrySchema).parse(raw);
  cached = new Map(Object.entries(parsed));
  return cached;
}

export function catalogEntry(preset: string): CatalogEntry | undefined {
  return loadCatalog().get(preset);
}
