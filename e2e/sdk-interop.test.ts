// The matrix-js-sdk judge itself (e2e/harness/sdk-device.ts), on a real Synapse: it counts a
// healthy fixture account as verified, and — so that its "yes" after a repair means something —
// it says no where a real client says no (no recovery key, secrets that do not match, a device
// nobody cross-signed). Then an identity made by the SDK the way Element makes it reads healthy in
// the doctor's status.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { cli } from './harness/cli-process.ts';
import { buildAccount, queryOwnKeys } from './harness/identity.ts';
import { bootstrapLikeElement, sdkCheck } from './harness/sdk-device.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { registerUser } from './harness/users.ts';

const deviceIdsOf = async (user: { baseUrl: string; userId: string; accessToken: string }): Promise<string[]> => {
  const q = (await queryOwnKeys(user)) as { device_keys: Record<string, Record<string, unknown>> };
  return Object.keys(q.device_keys[user.userId] ?? {}).sort();
};

describe('matrix-js-sdk 43 (Rust crypto) as the interop judge', () => {
  let hs: SynapseInfo;
  before(async () => { hs = await testSynapse(); });

  test('a healthy account: own identity verified, every device cross-signed, backup trusted; the SDK device is gone after', async () => {
    const account = await buildAccount(hs, 'healthy', { devices: 3 });
    const ids = account.devices.map((d) => d.deviceId);
    const verdict = await sdkCheck(hs, account.user, { recoveryKey: account.secretStorage!.recoveryKey, devices: ids });
    assert.equal(verdict.ownIdentityVerified, true, verdict.steps.join('; '));
    assert.deepEqual(verdict.steps, ['cross-signing keys imported from secret storage', 'backup key loaded from secret storage']);
    for (const id of ids) assert.deepEqual(verdict.devices[id], { crossSigningVerified: true, signedByOwner: true }, id);
    assert.deepEqual(verdict.backup, { version: account.backup!.version, trusted: true, matchesDecryptionKey: true });
    assert.equal(verdict.secretStorageReady, true);
    assert.ok(!ids.includes(verdict.deviceId));
    assert.deepEqual(await deviceIdsOf(account.user), [...ids].sort(), 'the SDK device was logged out');
  });

  test('no recovery key: the SDK does not count the identity verified', async () => {
    const account = await buildAccount(hs, 'healthy');
    const verdict = await sdkCheck(hs, account.user, { devices: [account.user.deviceId] });
    assert.equal(verdict.ownIdentityVerified, false);
    assert.equal(verdict.devices[account.user.deviceId]?.crossSigningVerified, false);
  });

  test('secret storage holding other keys than the published ones: not verified, and the SDK made no keys of its own', async () => {
    const account = await buildAccount(hs, 'secrets-mismatch');
    const verdict = await sdkCheck(hs, account.user, { recoveryKey: account.secretStorage!.recoveryKey });
    assert.equal(verdict.ownIdentityVerified, false);
    assert.match(verdict.steps[0]!, /bootstrapCrossSigning failed/);
    const q = (await queryOwnKeys(account.user)) as { master_keys: Record<string, { keys: Record<string, string> }> };
    assert.deepEqual(Object.values(q.master_keys[account.user.userId]!.keys), [account.crossSigning!.master.publicKey]);
  });

  test('a device nobody cross-signed is not cross-signed for the SDK either', async () => {
    const account = await buildAccount(hs, 'devices-not-cross-signed');
    const [session, other] = account.devices.map((d) => d.deviceId) as [string, string];
    const verdict = await sdkCheck(hs, account.user, { recoveryKey: account.secretStorage!.recoveryKey, devices: [session, other] });
    assert.equal(verdict.ownIdentityVerified, true, verdict.steps.join('; '));
    assert.equal(verdict.devices[session]?.crossSigningVerified, true);
    assert.equal(verdict.devices[other]?.crossSigningVerified, false);
  });

  test('an identity bootstrapped by matrix-js-sdk the way Element does reads healthy in the CLI status', async () => {
    const user = await registerUser(hs);
    const element = await bootstrapLikeElement(hs, user);
    assert.notEqual(element.backupVersion, null);
    const status = await cli(['status', '--homeserver', hs.baseUrl, '--json'], { XSIGN_TOKEN: user.accessToken, XSIGN_RECOVERY_KEY: element.recoveryKey });
    const report = JSON.parse(status.stdout) as { healthy: boolean; problems: unknown[]; secretStorage: { keyCheck?: string }; backup: { trusted?: boolean; trustedByMaster?: boolean; matchesSecretStorage?: boolean } };
    assert.deepEqual(report.problems, [], status.stderr);
    assert.equal(status.code, 0);
    assert.equal(report.secretStorage.keyCheck, 'ok');
    assert.equal(report.backup.trustedByMaster, true);
    assert.equal(report.backup.matchesSecretStorage, true);
    // And a second SDK device agrees with the first.
    const verdict = await sdkCheck(hs, user, { recoveryKey: element.recoveryKey, devices: [element.deviceId] });
    assert.equal(verdict.ownIdentityVerified, true, verdict.steps.join('; '));
    assert.equal(verdict.devices[element.deviceId]?.crossSigningVerified, true);
    assert.equal(verdict.backup?.trusted, true);
  });
});
