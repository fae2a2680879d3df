import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBase64 } from '../base64.ts';
import { KEEP_VERIFIED_STEP_ID, SIGN_USERS_STEP_ID } from '../repair/plan-users.ts';
import { finishPlan, uploadKeysStep, uploadSignaturesStep } from '../repair/plans.ts';
import { verifiedByRun } from './remember-verified.ts';

const key = (n: number) => encodeBase64(new Uint8Array(32).fill(n));
const master = (userId: string, n: number) => ({ user_id: userId, usage: ['master'], keys: { [`ed25519:${key(n)}`]: key(n) }, signatures: {} });

const plan = finishPlan({
  kind: 'reset-cross-signing', title: 't', userId: '@me:x.org', safeguard: 'not-applicable', publicKeys: {}, notes: [],
  steps: [
    uploadKeysStep('upload-keys', 'u', { master_key: master('@me:x.org', 9) }, []),
    uploadSignaturesStep(KEEP_VERIFIED_STEP_ID, 'k', {
      '@bob:x.org': { [key(1)]: master('@bob:x.org', 1) },
      '@carol:x.org': { [key(2)]: master('@carol:x.org', 2) },
      '@erin:x.org': { [key(5)]: master('@erin:x.org', 6) },
      '@me:x.org': { DEVICE: { device_id: 'DEVICE' } },
      '@dave:x.org': { [`ed25519:${key(4)}`]: { usage: ['self_signing'] } },
    }, ['upload-keys']),
  ],
});

describe('verifiedByRun', () => {
  it('the master keys a completed keep-verified or sign-users step signed, less the rejected ones (and one whose object names another key)', () => {
    assert.deepEqual(verifiedByRun(plan, { completedStepIds: ['upload-keys', KEEP_VERIFIED_STEP_ID] }, [
      { userId: '@carol:x.org', keyId: key(2), errcode: 'M_INVALID_SIGNATURE' },
    ]), [{ userId: '@bob:x.org', masterKey: key(1) }]);
  });

  it('nothing for a step not done yet (a failed run remembers nobody it did not sign)', () => {
    assert.deepEqual(verifiedByRun(plan, { completedStepIds: ['upload-keys'] }, []), []);
    assert.equal(SIGN_USERS_STEP_ID, 'sign-users');
  });
});
