import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanParameters, cleanSchema } from './schema.js';
import { pick } from '../../../testkit/format-helpers/gemini.js';

test('strips unsupported keys recursively and keeps the supported subset', () => {
  assert.deepEqual(
    cleanSchema({
      $schema: 'x',
      type: 'object',
      additionalProperties: false,
      properties: {
        tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, minItems: 1, uniqueItems: true },
        when: { type: 'string', format: 'date-time', examples: ['2020'] },
        kind: { const: 'fixed' },
      },
      required: ['tags', 'missing'],
    }),
    {
      type: 'object',
      properties: {
        tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, minItems: 1 },
        when: { type: 'string', format: 'date-time' },
        kind: { type: 'string', enum: ['fixed'] },
      },
      required: ['tags'],
    },
  );
});

test('anyOf with null becomes nullable; multi-type arrays become anyOf; local refs are inlined', () => {
  assert.deepEqual(cleanSchema({ anyOf: [{ type: 'string' }, { type: 'null' }] }), { type: 'string', nullable: true });
  assert.deepEqual(cleanSchema({ type: ['string', 'number'] }), { anyOf: [{ type: 'string' }, { type: 'number' }] });
  assert.deepEqual(
    cleanSchema({ type: 'object', properties: { p: { $ref: '#/$defs/P' } }, $defs: { P: { type: 'object', properties: { x: { type: 'number' } } } } }),
    { type: 'object', properties: { p: { type: 'object', properties: { x: { type: 'number' } } } } },
  );
});

test('recursive refs stop at a depth limit instead of looping', () => {
  const out = cleanSchema({ $ref: '#/definitions/N', definitions: { N: { type: 'object', properties: { next: { $ref: '#/definitions/N' } } } } });
  let depth = 0;
  let node: unknown = out;
  while (pick(node, 'properties', 'next') !== undefined) {
    node = pick(node, 'properties', 'next');
    depth++;
  }
  assert.ok(depth > 3 && depth < 20, `depth ${depth}`);
  assert.deepEqual(node, { type: 'object' });
});

test('parameters: an object without properties is omitted', () => {
  assert.equal(cleanParameters({ type: 'object', properties: {} }), undefined);
  assert.equal(cleanParameters({ type: 'object' }), undefined);
  assert.deepEqual(cleanParameters({ type: 'object', properties: { a: { type: 'boolean' } } }), { type: 'object', properties: { a: { type: 'boolean' } } });
});
