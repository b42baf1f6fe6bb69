// Test-only: asserts that an ingress decoder rejects a body with a 400 GatewayError naming the
// offending parameter (shared by the openai-chat and anthropic-messages decode tests).
import assert from 'node:assert/strict';
import { GatewayError } from '../../src/spec/errors.js';

export function assertDecodeRejects(
  decode: (body: unknown) => unknown,
  body: unknown,
  param: string | undefined,
  pattern: RegExp,
  code = 'invalid_request',
): void {
  assert.throws(
    () => decode(body),
    (e: unknown) => {
      assert.ok(e instanceof GatewayError);
      assert.equal(e.code, code);
      assert.equal(e.status, 400);
      assert.equal(e.param, param);
      assert.match(e.message, pattern);
      return true;
    },
  );
}
