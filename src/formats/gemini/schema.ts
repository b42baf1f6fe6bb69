// Gemini accepts an OpenAPI 3.0 subset of JSON Schema for function parameters and responseSchema.
// Unknown keys (additionalProperties, $schema, $ref, …) make the API reject the whole request, so
// we rewrite instead of forwarding: this is a silent, lossless-where-possible clean-up, not a
// feature drop, hence no warnings.
import { isObject } from '../shared/json.js';

const KEEP = new Set([
  'type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'minProperties',
  'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'default', 'minimum', 'maximum',
  'propertyOrdering',
]);

// Gemini rejects string formats other than these; numeric formats pass through.
const STRING_FORMATS = new Set(['enum', 'date-time']);
const MAX_REF_DEPTH = 8;

type Schema = Record<string, unknown>;

/** Cleans a JSON Schema for Gemini. Local `#/$defs/…` / `#/definitions/…` refs are inlined. */
export function cleanSchema(schema: Record<string, unknown>): Schema {
  const defs = { ...asRecord(schema.definitions), ...asRecord(schema.$defs) };
  return clean(schema, defs, 0);
}

/** Tool parameters: an object schema without properties is sent as no parameters at all. */
export function cleanParameters(schema: Record<string, unknown>): Schema | undefined {
  const out = cleanSchema(schema);
  if (out.type === 'object' && out.properties === undefined) return undefined;
  return out;
}

function asRecord(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}

function clean(input: Schema, defs: Record<string, unknown>, depth: number): Schema {
  let schema = input;
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(schema.$ref, defs);
    // Past the depth limit (recursive types) the reference degrades to an untyped object.
    if (target === undefined || depth >= MAX_REF_DEPTH) return { type: 'object' };
    const { $ref: _ignored, ...rest } = schema;
    schema = { ...target, ...rest };
    depth++;
  }
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) if (KEEP.has(k)) out[k] = v;

  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t): t is string => typeof t === 'string');
    const nonNull = types.filter((t) => t !== 'null');
    if (nonNull.length < types.length) out.nullable = true;
    if (nonNull.length === 1) out.type = nonNull[0];
    else if (nonNull.length > 1) {
      delete out.type;
      out.anyOf = nonNull.map((t) => ({ type: t }));
    } else out.type = 'string';
  }
  if (schema.const !== undefined && out.enum === undefined) {
    out.enum = [String(schema.const)];
    if (out.type === undefined) out.type = 'string';
  }
  if (Array.isArray(out.enum)) {
    // Gemini enums are string-only.
    if (!out.enum.every((e) => typeof e === 'string')) delete out.enum;
    else if (out.type === undefined) out.type = 'string';
  }
  if (out.type === 'string' && typeof out.format === 'string' && !STRING_FORMATS.has(out.format)) delete out.format;

  const variants = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
  if (variants) {
    const objs = variants.filter(isObject);
    const nonNull = objs.filter((v) => v.type !== 'null');
    if (nonNull.length < objs.length) out.nullable = true;
    const cleaned = nonNull.map((v) => clean(v, defs, depth));
    if (cleaned.length === 1) Object.assign(out, cleaned[0]);
    else if (cleaned.length > 1) out.anyOf = cleaned;
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1 && isObject(schema.allOf[0])) {
    Object.assign(out, clean(schema.allOf[0], defs, depth));
  }

  if (isObject(schema.properties)) {
    const props: Schema = {};
    for (const [name, sub] of Object.entries(schema.properties)) if (isObject(sub)) props[name] = clean(sub, defs, depth);
    if (Object.keys(props).length > 0) {
      out.properties = props;
      if (out.type === undefined) out.type = 'object';
      if (Array.isArray(schema.required)) {
        const req = schema.required.filter((r): r is string => typeof r === 'string' && r in props);
        if (req.length > 0) out.required = req;
      }
    }
  }
  if (isObject(schema.items)) out.items = clean(schema.items, defs, depth);
  else if (Array.isArray(schema.items) && isObject(schema.items[0])) out.items = clean(schema.items[0], defs, depth);
  return out;
}

function resolveRef(ref: string, defs: Record<string, unknown>): Schema | undefined {
  const m = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
  if (!m || m[1] === undefined) return undefined;
  const target = defs[decodeURIComponent(m[1]).replace(/~1/g, '/').replace(/~0/g, '~')];
  return isObject(target) ? target : undefined;
}
