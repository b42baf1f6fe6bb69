import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageSourceFromUrl } from './data-url.js';

test('a base64 data URL becomes inline bytes with its media type', () => {
  assert.deepEqual(imageSourceFromUrl('data:image/png;base64,QUJD'), { kind: 'base64', mediaType: 'image/png', data: 'QUJD' });
});

test('a base64 data URL without a media type falls back to application/octet-stream', () => {
  assert.deepEqual(imageSourceFromUrl('data:;base64,QUJD'), { kind: 'base64', mediaType: 'application/octet-stream', data: 'QUJD' });
});

test('https URLs, non-base64 data URLs and data URLs without a comma stay URLs', () => {
  for (const url of ['https://example.invalid/a.png', 'data:text/plain,hello', 'data:image/png;base64']) {
    assert.deepEqual(imageSourceFromUrl(url), { kind: 'url', url });
  }
});
