import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMatrixClient } from '../matrix/client.ts';
import { ConnectionError, MatrixApiError } from '../matrix/errors.ts';
import { RepairCancelledError } from '../repair/errors.ts';
import type { RepairPlan } from '../repair/plans.ts';
import { ed, healthyView, RECOVERY_KEY, USER } from '../inspect/fixture.test.ts';
import { describeOutcome, isCarryOverLeft, isHalfDone } from './describe-outcome.ts';
import { finishPlan, uploadKeysStep, uploadSignaturesStep } from '../repair/plans.ts';
import { prepareRepair } from './prepare-repair.ts';
import { fetchFromView } from './view-fetch.test.ts';
import type { RepairRequest } from './repair-request.ts';

async function planOf(request: RepairRequest): Promise<RepairPlan> {
  const view = await healthyView();
  const client = createMatrixClient({ baseUrl: 'https://hs.example', accessToken: 'syt_test', fetch: fetchFromView(view) });
  const prepared = await prepareRepair(client, { userId: USER, deviceId: 'DEVICEONE' }, request, { recoveryKey: RECOVERY_KEY }, { ed });
  assert.ok(prepared.ok, JSON.stringify(!prepared.ok && prepared.error));
  prepared.value.dispose();
  return prepared.value.plan;
}

describe('isHalfDone: new private keys stored but not published, read from the plan\'s steps', () => {
  it('a reset is half done after it stored a new key and before its upload, not while it only kept old ones aside', async () => {
    const plan = await planOf({ kind: 'reset-cross-signing' });
    const firstStore = plan.steps.findIndex((s) => s.kind === 'put-secret' && !s.request.path.includes('dev.xsign-doctor.'));
    const upload = plan.steps.findIndex((s) => s.kind === 'upload-cross-signing-keys');
    assert.ok(firstStore > 0 && upload > firstStore, 'a copy is kept aside first, the upload comes after the stores');
    assert.equal(isHalfDone(plan, 0), false);
    assert.equal(isHalfDone(plan, firstStore), false, 'only the copy kept aside is written');
    assert.equal(isHalfDone(plan, firstStore + 1), true);
    assert.equal(isHalfDone(plan, upload), true, 'stopped at the upload');
    assert.equal(isHalfDone(plan, upload + 1), false, 'published');
    assert.equal(isHalfDone(plan, plan.steps.length), false);
  });

  it('a repair that stores no new key is never half done', async () => {
    const plan = await planOf({ kind: 'resign-backup' });
    for (let n = 0; n <= plan.steps.length; n++) assert.equal(isHalfDone(plan, n), false);
  });
});

describe('describeOutcome: the same data for both front ends, worded for each', () => {
  it('success, rejected signatures, a refusal by the homeserver, a lost answer, a cancel, an unexpected error', async () => {
    const plan = await planOf({ kind: 'reset-cross-signing' });
    const upload = plan.steps.findIndex((s) => s.kind === 'upload-cross-signing-keys');
    for (const surface of [{ name: 'cli', verb: 'reset' } as const, { name: 'popup' } as const]) {
      const ok = describeOutcome(plan, { kind: 'success' }, surface);
      assert.deepEqual([ok.outcome, ok.message], ['success', `Done: ${plan.title}.`]);
      const rejected = describeOutcome(plan, { kind: 'rejected', failures: [{ keyId: 'D', errcode: 'M_INVALID_SIGNATURE' }] as never }, surface);
      assert.equal(rejected.outcome, 'failed');
      assert.match(rejected.message, /rejected some signatures/);

      const refused = describeOutcome(plan, { kind: 'error', error: new MatrixApiError('M_FORBIDDEN: no', { status: 403, errcode: 'M_FORBIDDEN', body: {} }), completed: upload }, surface);
      assert.equal(refused.outcome, 'failed');
      assert.match(refused.message, /homeserver refused: M_FORBIDDEN: no/i);
      assert.equal(refused.step, plan.steps[upload]!.title, 'names the step it stopped at');
      assert.equal(refused.lostAnswer, false);
      assert.match(refused.halfDone ?? '', surface.name === 'cli' ? /`xsign-doctor upload` publishes exactly those/ : /Upload keys from secret storage/);

      const lost = describeOutcome(plan, { kind: 'error', error: new ConnectionError('The homeserver did not answer', { kind: 'timeout' } as never), completed: 0 }, surface);
      assert.equal(lost.lostAnswer, true);
      assert.equal(lost.halfDone, undefined, 'nothing stored yet');
      assert.match(lost.message, surface.name === 'cli' ? /Run the command again/ : /may have done this step anyway/);

      const cancelled = describeOutcome(plan, { kind: 'error', error: new RepairCancelledError('password-declined'), completed: 0 }, surface);
      assert.equal(cancelled.outcome, 'cancelled');

      const bug = describeOutcome(plan, { kind: 'error', error: new TypeError('x is undefined'), completed: 0 }, surface);
      assert.equal(bug.unexpected, true);
    }
  });
});

describe('isCarryOverLeft: a reset published its keys, the people it was to keep verified are not signed', () => {
  const plan = finishPlan({
    kind: 'reset-cross-signing', title: 'Reset', userId: USER, safeguard: 'not-applicable', publicKeys: {}, notes: [],
    steps: [
      uploadKeysStep('upload-keys', 'Upload', { master_key: {} }, []),
      uploadSignaturesStep('sign-devices', 'Sign my devices', { [USER]: { DEVICEONE: {} } }, ['upload-keys']),
      uploadSignaturesStep('keep-verified', 'Keep @bob:x.org verified', { '@bob:x.org': { KEY: {} } }, ['upload-keys']),
    ],
  });

  it('only between the key upload and the carry-over step, and only then says reverify-users', () => {
    assert.deepEqual([0, 1, 2, 3].map((n) => isCarryOverLeft(plan, n)), [false, true, true, false]);
    const lost = describeOutcome(plan, { kind: 'error', error: new ConnectionError('Could not reach the homeserver', { kind: 'timeout' } as never), completed: 2 }, { name: 'cli', verb: 'reset' });
    assert.match(lost.message, /^Could not reach the homeserver\. The new keys are published, but the people you chose to keep verified are not signed by the new user-signing key: `xsign-doctor reverify-users` signs them/);
    assert.doesNotMatch(lost.message, /Run the command again/);
    const refused = describeOutcome(plan, { kind: 'error', error: new MatrixApiError('M_UNKNOWN: boom', { status: 500, errcode: 'M_UNKNOWN', body: {} }), completed: 2 }, { name: 'popup' });
    assert.match(refused.message, /“Verify again after a reset” signs them/);
    const early = describeOutcome(plan, { kind: 'error', error: new ConnectionError('Could not reach the homeserver', { kind: 'timeout' } as never), completed: 0 }, { name: 'popup' });
    assert.doesNotMatch(early.message, /Verify again/, 'before the upload nothing changed for them');
    const rejected = describeOutcome(plan, { kind: 'rejected', failures: [{ userId: '@bob:x.org', keyId: 'KEY', errcode: 'M_INVALID_SIGNATURE' }] }, { name: 'cli', verb: 'reset' });
    assert.match(rejected.message, /Those people are not verified by the new user-signing key: `xsign-doctor reverify-users` signs them\./);
  });
});
