import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNPARSABLE, withoutRefreshTokens } from './sanitize.ts';

test('refresh tokens are removed at any depth, everything else kept', () => {
  const raw = JSON.stringify([{ accessToken: 'a', refreshToken: 'R1', nested: { refresh_token: 'R2', keep: 1 } }]);
  const out = withoutRefreshTokens(raw);
  assert.deepEqual(JSON.parse(out), [{ accessToken: 'a', nested: { keep: 1 } }]);
  assert.ok(!out.includes('R1') && !out.includes('R2'));
});

test('broken JSON becomes a marker that is not JSON and carries nothing of the input', () => {
  const out = withoutRefreshTokens('[{"refreshToken": "SECRET"');
  assert.equal(out, UNPARSABLE);
  assert.throws(() => JSON.parse(out));
});
