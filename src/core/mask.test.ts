import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskSecret } from './mask.ts';

test('keeps four characters at each end of a long secret', () => {
  assert.equal(maskSecret('syt_YWxpY2U_abcdefghijklmnop_1a2B3c'), 'syt_…2B3c');
});

test('shows nothing of a short secret', () => {
  for (const s of ['', 'a', 'abcdefghijkl']) {
    assert.equal(maskSecret(s), '••••');
  }
});
