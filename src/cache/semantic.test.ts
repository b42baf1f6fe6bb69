import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CanonicalRequest } from '../spec/canonical.js';
import { semanticQuery } from './semantic.js';

const req = (...turns: Array<[CanonicalRequest['messages'][number]['role'], string]>): CanonicalRequest => ({
  model: 'r',
  messages: turns.map(([role, text]) => ({ role, content: [{ type: 'text', text }] })),
  stream: false,
});

test('the partition is everything but the last user turn', () => {
  const a = semanticQuery('key:k', 'r', req(['system', 'S'], ['user', 'Q1']), 'last_user')!;
  const b = semanticQuery('key:k', 'r', req(['system', 'S'], ['user', 'Q2']), 'last_user')!;
  assert.equal(a.partition, b.partition);
  assert.equal(a.text, 'Q1');
  assert.notEqual(semanticQuery('key:k', 'r', req(['system', 'T'], ['user', 'Q1']), 'last_user')!.partition, a.partition, 'system prompt');
  assert.notEqual(semanticQuery('key:j', 'r', req(['system', 'S'], ['user', 'Q1']), 'last_user')!.partition, a.partition, 'tenant');
  assert.notEqual(semanticQuery('key:k', 'q', req(['system', 'S'], ['user', 'Q1']), 'last_user')!.partition, a.partition, 'route');
  const t = req(['system', 'S'], ['user', 'Q1']);
  t.temperature = 0.2;
  assert.notEqual(semanticQuery('key:k', 'r', t, 'last_user')!.partition, a.partition, 'parameters');
  assert.notEqual(semanticQuery('key:k', 'r', req(['system', 'S'], ['user', 'A'], ['assistant', 'B'], ['user', 'Q1']), 'last_user')!.partition, a.partition, 'earlier turns');
});

test('conversation mode embeds the turns and partitions by the system prompt', () => {
  const a = semanticQuery('key:k', 'r', req(['system', 'S'], ['user', 'A'], ['assistant', 'B'], ['user', 'C']), 'conversation')!;
  assert.equal(a.text, 'A\nB\nC');
  assert.equal(semanticQuery('key:k', 'r', req(['system', 'S'], ['user', 'X']), 'conversation')!.partition, a.partition);
});

test('no semantic query without a plain-text last user turn', () => {
  assert.equal(semanticQuery('s', 'r', req(['user', 'Q'], ['assistant', 'A']), 'last_user'), undefined);
  const img = req(['user', 'Q']);
  img.messages[0]!.content.push({ type: 'image', source: { kind: 'url', url: 'https://example.com/x.png' } });
  assert.equal(semanticQuery('s', 'r', img, 'last_user'), undefined);
  assert.equal(semanticQuery('s', 'r', req(['user', '  ']), 'last_user'), undefined);
});
