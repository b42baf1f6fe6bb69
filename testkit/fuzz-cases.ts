// Seeded fuzz cases for every ingress of the gateway (issue 15 §4): valid bodies mutated at the
// JSON level (types, missing and extra fields, deep nesting, long strings, huge arrays, unicode
// junk), at the text level (truncated, flipped bytes, not JSON, not UTF-8), at the transport
// level (a chunked body cut midway, a lying content-length) and in the path (malformed
// percent-encoding, traversal). Same seed, same cases.

import { mulberry32 } from './prng.js';

export type Dialect = 'openai' | 'anthropic';

export interface FuzzCase {
  /** What was done to the body, for the report. */
  name: string;
  method: 'GET' | 'POST';
  path: string;
  /** The error shape a caller of this path expects. */
  dialect: Dialect;
  headers: Record<string, string>;
  body?: Buffer;
  /**
   * `http`: an ordinary request. `cut`: a chunked body whose sender stops midway (half-closes).
   * `raw`: `body` is sent as the whole request, headers included (smuggling-style framing).
   */
  transport: 'http' | 'cut' | 'raw';
}

/** The generator keeps each body under this size (about twice the fuzz gateway's body limit). */
const MAX_BODY_CHARS = 2 * 1024 * 1024;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Rng = () => number;

const pick = <T>(rnd: Rng, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const int = (rnd: Rng, lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

interface Seed {
  path: string;
  dialect: Dialect;
  body: (rnd: Rng) => unknown;
}

const text = (rnd: Rng) => pick(rnd, ['hi', 'Tell me a joke', 'weather in Paris?', '', 'x'.repeat(50)]);
const schema: Json = { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] };

const SEEDS: readonly Seed[] = [
  {
    path: '/v1/chat/completions',
    dialect: 'openai',
    body: (rnd) => ({
      model: 'chat',
      stream: rnd() < 0.4,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: rnd() < 0.5 ? text(rnd) : [{ type: 'text', text: text(rnd) }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
        ...(rnd() < 0.3 ? [{ role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'w', arguments: '{"city":"x"}' } }] }, { role: 'tool', tool_call_id: 'call_1', content: 'sunny' }] : []),
      ],
      ...(rnd() < 0.4 ? { tools: [{ type: 'function', function: { name: 'w', description: 'weather', parameters: schema } }] } : {}),
      ...(rnd() < 0.3 ? { response_format: { type: 'json_schema', json_schema: { name: 'r', schema } } } : {}),
      ...(rnd() < 0.3 ? { max_tokens: int(rnd, 1, 50), temperature: 0.5, stop: ['END'] } : {}),
    }),
  },
  {
    path: '/v1/messages',
    dialect: 'anthropic',
    body: (rnd) => ({
      model: 'claude',
      max_tokens: int(rnd, 1, 50),
      stream: rnd() < 0.4,
      ...(rnd() < 0.4 ? { system: rnd() < 0.5 ? 'be brief' : [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }] } : {}),
      messages: [
        { role: 'user', content: rnd() < 0.5 ? text(rnd) : [{ type: 'text', text: text(rnd) }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
        ...(rnd() < 0.3
          ? [
              { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'w', input: { city: 'x' } }] },
              { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'sunny' }] }] },
            ]
          : []),
      ],
      ...(rnd() < 0.4 ? { tools: [{ name: 'w', description: 'weather', input_schema: schema }] } : {}),
      ...(rnd() < 0.2 ? { thinking: { type: 'enabled', budget_tokens: 1024 } } : {}),
    }),
  },
  {
    path: '/v1/messages/count_tokens',
    dialect: 'anthropic',
    body: (rnd) => ({ model: 'claude', messages: [{ role: 'user', content: text(rnd) }] }),
  },
  {
    path: '/v1/responses',
    dialect: 'openai',
    body: (rnd) => ({
      model: 'chat',
      stream: rnd() < 0.4,
      input: rnd() < 0.5
        ? text(rnd)
        : [
            { role: 'user', content: [{ type: 'input_text', text: text(rnd) }] },
            ...(rnd() < 0.3 ? [{ type: 'function_call', call_id: 'c1', name: 'w', arguments: '{}' }, { type: 'function_call_output', call_id: 'c1', output: 'sunny' }] : []),
          ],
      ...(rnd() < 0.2 ? { previous_response_id: 'resp_' + 'a'.repeat(32) } : {}),
      ...(rnd() < 0.2 ? { input: [{ type: 'item_reference', id: 'msg_' + 'b'.repeat(20) }] } : {}),
      ...(rnd() < 0.4 ? { tools: [{ type: 'function', name: 'w', parameters: schema }] } : {}),
      ...(rnd() < 0.3 ? { instructions: 'be brief', max_output_tokens: int(rnd, 16, 64) } : {}),
      ...(rnd() < 0.2 ? { text: { format: { type: 'json_schema', name: 'r', schema } } } : {}),
    }),
  },
  {
    path: '/v1/embeddings',
    dialect: 'openai',
    body: (rnd) => ({ model: 'embed', input: rnd() < 0.5 ? text(rnd) || 'x' : ['a b', 'c d'], ...(rnd() < 0.3 ? { encoding_format: 'base64' } : {}) }),
  },
];

const JUNK_STRINGS = ['', ' ', '\u0000', '\ud800', '\udfff\ud800', '\u202e\u2066', '😀'.repeat(30), '%E0%A4%A', '../../etc/passwd', '<script>', '${jndi:x}', '\r\n\r\nGET / HTTP/1.1', 'null', '-1', '1e999'];

function randomValue(rnd: Rng, depth = 0): Json {
  switch (int(rnd, 0, 11)) {
    case 0: return null;
    case 1: return rnd() < 0.5;
    case 2: return pick(rnd, [0, -1, 1.5, 2 ** 53 + 1, -(2 ** 31), 1e308, -1e-308, 4294967296]);
    case 3: return pick(rnd, JUNK_STRINGS);
    case 4: return 'x'.repeat(int(rnd, 1000, 200_000));
    case 5: return depth > 3 ? [] : Array.from({ length: int(rnd, 0, 4) }, () => randomValue(rnd, depth + 1));
    case 6: return depth > 3 ? {} : { [pick(rnd, ['type', 'role', 'content', 'text', 'x', '__proto__', 'constructor'])]: randomValue(rnd, depth + 1) };
    case 7: return nested(int(rnd, 30, 200), rnd() < 0.5);
    case 8: return Array.from({ length: int(rnd, 100, 3000) }, () => ({ role: 'user', content: 'x' }));
    case 9: return pick(rnd, ['user', 'assistant', 'system', 'tool', 'developer', 'function', 'text', 'image_url', 'tool_use', 'tool_result', 'function_call', 'json_schema']);
    case 10: return { type: pick(rnd, ['text', 'image', 'image_url', 'input_text', 'tool_use', 'thinking', 'document', 'audio']) };
    default: return pick(rnd, [[], {}, '']);
  }
}

function nested(depth: number, arrays: boolean): Json {
  let v: Json = 'x';
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { type: 'object', properties: { x: v } };
  return v;
}

/** Every path to a node of the tree, for picking one to mutate. */
function paths(v: Json, base: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(base);
  if (out.length > 500) return out;
  if (Array.isArray(v)) v.forEach((e, i) => paths(e, [...base, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k]!, [...base, k], out);
  return out;
}

function mutate(root: Json, rnd: Rng): [Json, string] {
  const all = paths(root);
  const path = pick(rnd, all);
  if (path.length === 0) return [randomValue(rnd), 'root replaced'];
  const parentPath = path.slice(0, -1);
  let parent: Json = root;
  for (const k of parentPath) parent = (parent as Record<string, Json>)[k as string]!;
  const key = path.at(-1)!;
  const where = path.join('.');
  const op = int(rnd, 0, 4);
  const p = parent as Record<string | number, Json>;
  if (op === 0 && !Array.isArray(parent)) {
    delete p[key];
    return [root, `deleted ${where}`];
  }
  if (op === 1) {
    const v = p[key];
    if (Array.isArray(v) && v.length > 0) {
      // Bounded: a repeated element must not make a body of hundreds of MB (the fuzzer's own
      // memory is not the subject; the body limit already refuses anything over a few MB).
      const size = JSON.stringify(v[0]!).length + 1;
      p[key] = Array.from({ length: Math.min(int(rnd, 50, 3000), Math.max(2, Math.floor(MAX_BODY_CHARS / size))) }, () => v[0]!);
      return [root, `repeated ${where}`];
    }
  }
  if (op === 2 && !Array.isArray(parent)) {
    p[pick(rnd, ['extra', 'stream', 'n', 'model', 'tools', 'tool_choice', 'metadata', 'store', 'previous_response_id', 'max_tokens', 'reasoning_effort'])] = randomValue(rnd);
    return [root, `added a field beside ${where}`];
  }
  p[key] = randomValue(rnd);
  return [root, `replaced ${where}`];
}

function textMutation(s: string, rnd: Rng): [Buffer, string] {
  const b = Buffer.from(s);
  switch (int(rnd, 0, 8)) {
    case 0: return [b.subarray(0, int(rnd, 0, b.length)), 'truncated'];
    case 1: {
      const c = Buffer.from(b);
      if (c.length > 0) c[int(rnd, 0, c.length - 1)] = int(rnd, 0, 255);
      return [c, 'flipped a byte'];
    }
    case 2: return [Buffer.concat([b, Buffer.from([0xff, 0xfe, 0xc3])]), 'invalid UTF-8 appended'];
    case 3: return [Buffer.from(pick(rnd, ['', 'null', '[]', '"x"', '42', 'true', '{', '{}', '{"model":'])), 'not an object'];
    case 4: return [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]), 'BOM prefix'];
    case 5: return [Buffer.from('['.repeat(int(rnd, 1000, 100_000))), 'unclosed nesting'];
    case 6: return [Buffer.from(`${s.slice(0, -1)},"model":"chat"}`), 'duplicate key'];
    case 7: {
      // Deep nesting inside an otherwise valid body, as text (JSON.stringify itself would overflow).
      const n = int(rnd, 2_000, 20_000);
      const deep = rnd() < 0.5 ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n);
      return [Buffer.from(s.startsWith('{') ? `{"deep_${int(rnd, 0, 9)}":${deep},${s.slice(1)}` : s), 'deeply nested field'];
    }
    default: return [Buffer.from(s.replace(/"/g, "'")), 'single quotes'];
  }
}

const PATHS = ['/v1/models/%E0%A4%A', '/v1/models/%', '/v1/models/%zz', '/v1/models/..%2F..%2Fadmin%2Fhealth', '/v1/models/chat%00', '/v1/models/' + 'a'.repeat(5000), '/v1/models/%F0%9F%98%80', '/v1/models/chat?x=%E0', '/v1/../admin/health', '//v1/models', '/v1/models/chat/../../admin/health', '/%2e%2e/admin/health'];

function authHeaders(dialect: Dialect, key: string): Record<string, string> {
  return dialect === 'anthropic' ? { 'x-api-key': key, 'anthropic-version': '2023-06-01' } : { authorization: `Bearer ${key}` };
}

/** `count` cases from `seed`, made one at a time (a run holds only the cases in flight). */
export function* fuzzCases(seed: number, count: number, key: string): Generator<FuzzCase> {
  const rnd = mulberry32(seed);
  for (let i = 0; i < count; i++) {
    const roll = rnd();
    if (roll < 0.04) {
      yield { name: 'path trick', method: 'GET', path: pick(rnd, PATHS), dialect: 'openai', headers: authHeaders('openai', key), transport: 'http' };
      continue;
    }
    const s = pick(rnd, SEEDS);
    let body = JSON.parse(JSON.stringify(s.body(rnd))) as Json;
    const names: string[] = [];
    const n = int(rnd, 1, 3);
    for (let j = 0; j < n; j++) {
      const [b, what] = mutate(body, rnd);
      body = b;
      names.push(what);
    }
    let raw: Buffer = Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { 'content-type': 'application/json', ...authHeaders(s.dialect, key) };
    let transport: FuzzCase['transport'] = 'http';
    const t = rnd();
    if (t < 0.15) {
      const [b, what] = textMutation(raw.toString(), rnd);
      raw = b;
      names.push(what);
    } else if (t < 0.2) {
      transport = 'cut';
      names.push('chunked body cut midway');
    } else if (t < 0.23) {
      delete headers['content-type'];
      if (rnd() < 0.5) headers['content-type'] = pick(rnd, ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']);
      names.push('content-type changed');
    } else if (t < 0.26) {
      transport = 'raw';
      const lie = rnd() < 0.5 ? Math.max(0, raw.length - int(rnd, 1, 20)) : raw.length + int(rnd, 1, 20);
      const auth = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      const framing = pick(rnd, [`content-length: ${lie}\r\n`, `content-length: ${raw.length}\r\ntransfer-encoding: chunked\r\n`, `content-length: ${raw.length}\r\ncontent-length: ${raw.length + 1}\r\n`, `transfer-encoding: chunked, identity\r\n`]);
      raw = Buffer.concat([Buffer.from(`POST ${s.path} HTTP/1.1\r\nhost: fuzz\r\nconnection: close\r\n${auth}${framing}\r\n`), raw]);
      names.push('request framing');
    }
    yield { name: names.join('; '), method: 'POST', path: s.path, dialect: s.dialect, headers, body: raw, transport };
  }
}
