// The one rule for "a cross-signature can vouch for this device"; the report carries its answer
// as DeviceReport.signable, which the popup, the CLI and the plan builders read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSignable } from './device-checks.ts';
import type { DeviceReport } from './report-types.ts';

test('isSignable: only a validly self-signed, well-formed device whose ID is no key', () => {
  const good: Pick<DeviceReport, 'selfSignature' | 'collidesWithKey' | 'shapeProblems'> = { selfSignature: 'valid', collidesWithKey: false, shapeProblems: [] };
  assert.equal(isSignable(good), true);
  for (const selfSignature of ['invalid', 'not-signed', 'no-key'] as const) {
    assert.equal(isSignable({ ...good, selfSignature }), false, selfSignature);
  }
  assert.equal(isSignable({ ...good, collidesWithKey: true }), false, 'ID equals a cross-signing key');
  assert.equal(isSignable({ ...good, shapeProblems: ['it names the user "@mallory:example.org"'] }), false, 'shape problem');
});
