// The plan builders shared by the CLI and the extension (build-plans.ts) under key descriptions
// without a key check, as a hostile (or very old) homeserver can serve them: the reported loss —
// a reset storing the new keys under a mistyped key — is refused unless the export file is
// chosen, and a source key nothing proves is not taken for store-secrets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeRecoveryKey } from '../recovery-key.ts';
import { KEY_DESCRIPTION_PREFIX } from '../inspect/account-state.ts';
import { ed, healthyView, KEY_ID, OTHER_KEY_ID, OTHER_SSSS_KEY, RECOVERY_KEY, seed, stateOf, storeSecrets, USER } from '../inspect/fixture.test.ts';
import { buildReset, checkKeyInput, findSourceKey, PlanRefusedError, type PlanContext } from './build-plans.ts';
import type { CheckedSecretStorageKey } from './secrets.ts';

const MISTYPED = encodeRecoveryKey(seed(99));

/** The healthy account with its default key description stripped of `iv`/`mac`. */
async function uncheckedState() {
  const view = await healthyView();
  view.accountData.set(`${KEY_DESCRIPTION_PREFIX}${KEY_ID}`, { algorithm: 'm.secret_storage.v1.aes-hmac-sha2', name: 'm.default' });
  return { view, state: stateOf(view) };
}

async function keyFor(state: ReturnType<typeof stateOf>, recoveryKey: string): Promise<CheckedSecretStorageKey> {
  const checked = await checkKeyInput(state, KEY_ID, { recoveryKey });
  assert.ok(checked.ok, checked.ok ? '' : checked.message);
  return checked.key;
}

const ctx = (state: ReturnType<typeof stateOf>, ssss: CheckedSecretStorageKey): PlanContext =>
  ({ state, report: {} as never, userId: USER, deviceId: 'DEVICEONE', ed, ssss });

describe('plan builders under a key description without a key check', () => {
  it('reset with a mistyped recovery key: refused in words; with the export file, nothing goes to secret storage', async () => {
    const { state } = await uncheckedState();
    const wrong = await keyFor(state, MISTYPED);
    assert.equal(wrong.proof.kind, 'unproven');
    await assert.rejects(buildReset(ctx(state, wrong), {}), (e: Error) => e instanceof PlanRefusedError && e.code === 'unsafe-secret-storage-key'
      && /none of the 4 secrets stored under it decrypt with this key/.test(e.message) && /save them in an export file instead/.test(e.message));
    const exported = await buildReset(ctx(state, wrong), { exportKeys: true });
    assert.equal(exported.plan.safeguard, 'export-confirmed');
    assert.ok(exported.exportText !== undefined);
    assert.deepEqual(exported.plan.steps.filter((s) => s.kind === 'put-secret').map((s) => s.id), [], 'no secret written');
    assert.ok(exported.remarks.some((r) => /NOT stored in secret storage/.test(r)));
  });

  it('reset with the right recovery key: proven by a secret, the keys are stored', async () => {
    const { state } = await uncheckedState();
    const right = await keyFor(state, RECOVERY_KEY);
    assert.deepEqual(right.proof, { kind: 'decrypted-secret', secret: 'm.cross_signing.master' });
    const built = await buildReset(ctx(state, right), {});
    assert.equal(built.plan.safeguard, 'secret-storage');
  });

  it('store-secrets does not take a source key that nothing proves', async () => {
    const { view } = await uncheckedState();
    view.accountData.set(`${KEY_DESCRIPTION_PREFIX}${OTHER_KEY_ID}`, { algorithm: 'm.secret_storage.v1.aes-hmac-sha2' });
    // The other key holds a secret written with a key the user does not have.
    await storeSecrets(view, { 'm.megolm_backup.v1': 'c2VjcmV0' }, [[OTHER_KEY_ID, seed(77)]]);
    const state = stateOf(view);
    const target = await keyFor(state, RECOVERY_KEY);
    const source = await findSourceKey(state, target, { recoveryKey: encodeRecoveryKey(OTHER_SSSS_KEY) });
    assert.ok(!source.ok, 'an unproven source key was taken');
    assert.match(source.message, /no key check \(iv\/mac\) and none of the 1 secret stored under it decrypts/);
  });
});
