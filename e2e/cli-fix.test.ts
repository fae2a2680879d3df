// `xsign-doctor fix` end to end against Synapse: for several broken fixture accounts, ONE command
// (the recovery key from XSIGN_RECOVERY_KEY, the password as ONE line on standard input, --yes)
// plans the repair of every cause, runs it, reads the status again and exits 0 only when it is
// healthy; then matrix-js-sdk, given the recovery key, must trust what it wrote. --dry-run writes
// nothing; a wrong password publishes nothing; a cause no repair fixes (or that fix leaves to the
// person: signing sessions out) is exit 1 in words.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { cli } from './harness/cli-process.ts';
import { buildAccount, uploadDeviceKeys, type FixtureAccount, type FixtureState } from './harness/identity.ts';
import { loginDevice } from './harness/users.ts';
import { badSelfSignatureAccount } from './harness/recovery-states.ts';
import { sdkCheck } from './harness/sdk-device.ts';
import { publishedKeys } from './harness/server-keys.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';

interface JsonReport {
  healthy: boolean;
  problems: { code: string; repair?: string; subject?: string; cause?: string }[];
  backup?: { version?: string } | null;
}

const envOf = (account: FixtureAccount): Record<string, string> => ({
  XSIGN_TOKEN: account.user.accessToken,
  ...(account.secretStorage ? { XSIGN_RECOVERY_KEY: account.secretStorage.recoveryKey } : {}),
});

async function status(hs: SynapseInfo, account: FixtureAccount): Promise<{ code: number; report: JsonReport; text: string }> {
  const r = await cli(['status', '--homeserver', hs.baseUrl, '--json'], envOf(account));
  assert.ok(r.code === 0 || r.code === 1, `status exit ${r.code}: ${r.stderr}`);
  const text = await cli(['status', '--homeserver', hs.baseUrl], envOf(account));
  return { code: r.code, report: JSON.parse(r.stdout) as JsonReport, text: text.stdout };
}

/** The states fix must bring to healthy in one run, with how many sessions each fixture has. */
const STATES: { state: FixtureState; devices: number; uia: boolean }[] = [
  { state: 'master-replaced', devices: 3, uia: false },
  { state: 'devices-not-cross-signed', devices: 3, uia: false },
  { state: 'backup-not-signed-by-master', devices: 2, uia: false },
  { state: 'secrets-missing', devices: 3, uia: true },
  { state: 'secrets-mismatch', devices: 2, uia: true },
];

describe('xsign-doctor fix against Synapse', { concurrency: 3 }, () => {
  let hs: SynapseInfo;
  before(async () => { hs = await testSynapse(); });

  for (const { state, devices, uia } of STATES) {
    test(`${state}: one fix, ${uia ? 'one password' : 'no password'}, healthy re-read, matrix-js-sdk trusts it`, async () => {
      const account = await buildAccount(hs, state, { devices });
      const before = await status(hs, account);
      assert.equal(before.report.healthy, false);
      // The status JSON keeps every problem and names each one's cause; the text groups by cause.
      for (const p of before.report.problems) assert.ok(typeof p.cause === 'string' && p.cause.length > 0, JSON.stringify(p));
      assert.match(before.text, /problems? found, \d+ causes?:/);
      assert.match(before.text, /xsign-doctor fix/);
      // The password, once: a second prompt would find standard input at its end and fail.
      const r = await cli(['fix', '--homeserver', hs.baseUrl, '--yes', '--password-stdin'], envOf(account), `${account.user.password}\n`);
      assert.equal(r.code, 0, `fix exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /PLAN: Fix: /);
      assert.match(r.stdout, /Status after the repair: healthy/);
      assert.equal((r.stdout.match(/^PLAN: /gm) ?? []).length, 1, 'one plan');
      if (!uia) assert.doesNotMatch(r.stdout, /device_signing\/upload/);
      const after = await status(hs, account);
      assert.equal(after.report.healthy, true, JSON.stringify(after.report.problems));
      assert.equal(after.code, 0);
      const ids = account.devices.map((d) => d.deviceId);
      const verdict = await sdkCheck(hs, account.user, { recoveryKey: account.secretStorage!.recoveryKey, devices: ids });
      const why = `SDK steps: ${verdict.steps.join('; ')}`;
      assert.equal(verdict.ownIdentityVerified, true, why);
      for (const id of ids) assert.equal(verdict.devices[id]?.crossSigningVerified, true, `device ${id} not cross-signed for the SDK (${why})`);
      assert.deepEqual(verdict.backup, { version: after.report.backup!.version, trusted: true, matchesDecryptionKey: true }, why);
      assert.equal(verdict.secretStorageReady, true, why);
    });
  }

  test('reset --devices signs the other sessions with the new key in the same plan: healthy after one reset', async () => {
    const account = await buildAccount(hs, 'secrets-missing', { devices: 3 });
    // Every session listed: this one is signed anyway, once.
    const ids = account.devices.map((d) => d.deviceId);
    const r = await cli(['reset', '--homeserver', hs.baseUrl, '--yes', '--password-stdin', '--devices', ids.join(',')], envOf(account), `${account.user.password}\n`);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Status after the repair: healthy/);
    assert.equal((await status(hs, account)).report.healthy, true);
  });

  test('--dry-run prints the one plan and writes nothing', async () => {
    const account = await buildAccount(hs, 'secrets-missing', { devices: 3 });
    const before = await status(hs, account);
    const keysBefore = await publishedKeys(account.user);
    const r = await cli(['fix', '--homeserver', hs.baseUrl, '--dry-run'], envOf(account));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /PLAN: Fix: reset cross-signing and sign 2 sessions/);
    assert.match(r.stdout, /POST \/_matrix\/client\/v3\/keys\/device_signing\/upload/);
    assert.match(r.stdout, /Dry run: nothing was sent\./);
    assert.deepEqual((await status(hs, account)).report, before.report);
    assert.deepEqual((await publishedKeys(account.user)).keys, keysBefore.keys);
  });

  test('a wrong password: nothing is published, the exit code is not 0', async () => {
    const account = await buildAccount(hs, 'secrets-missing', { devices: 2 });
    const keysBefore = await publishedKeys(account.user);
    const r = await cli(['fix', '--homeserver', hs.baseUrl, '--yes', '--password-stdin'], envOf(account), 'not the password\n');
    assert.notEqual(r.code, 0, r.stdout);
    assert.doesNotMatch(r.stdout, /Status after the repair: healthy/);
    const keysAfter = await publishedKeys(account.user);
    assert.deepEqual([keysAfter.master, keysAfter.selfSigning, keysAfter.userSigning], [keysBefore.master, keysBefore.selfSigning, keysBefore.userSigning]);
    assert.ok(!(await status(hs, account)).report.healthy);
  });

  test('a new session and the backup key lost: ONE fix signs the session and starts a new backup whose key is in secret storage: healthy, matrix-js-sdk trusts it', async () => {
    const account = await buildAccount(hs, 'backup-key-missing', { devices: 2 });
    const login = await loginDevice(hs, account.user, { displayName: 'signed in after the break' });
    await uploadDeviceKeys(account.user, login);
    const before = await status(hs, account);
    assert.deepEqual(before.report.problems.map((p) => p.code).sort(), ['backup-key-missing', 'device-not-cross-signed']);
    const r = await cli(['fix', '--homeserver', hs.baseUrl, '--yes', '--password-stdin'], envOf(account), `${account.user.password}\n`);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /PLAN: Fix: cross-sign .* → start a new key backup/);
    assert.match(r.stdout, /Status after the repair: healthy/);
    const after = await status(hs, account);
    assert.equal(after.report.healthy, true, JSON.stringify(after.report.problems));
    const verdict = await sdkCheck(hs, account.user, { recoveryKey: account.secretStorage!.recoveryKey, devices: [login.deviceId] });
    assert.deepEqual(verdict.backup, { version: after.report.backup!.version, trusted: true, matchesDecryptionKey: true }, verdict.steps.join('; '));
    assert.equal(verdict.devices[login.deviceId]?.crossSigningVerified, true);
  });

  test('a session to sign and a session that cannot be trusted: the one is signed, the other left for sign-out-device with why, exit 1', async () => {
    const { account, bad } = await badSelfSignatureAccount(hs);
    const login = await loginDevice(hs, account.user, { displayName: 'signed in after the break' });
    await uploadDeviceKeys(account.user, login);
    const r = await cli(['fix', '--homeserver', hs.baseUrl, '--yes', '--password-stdin'], envOf(account), `${account.user.password}\n`);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Not fixed by this plan: 1 session has keys that cannot be trusted \(signing sessions out ends them .*never part of a fix: choose the sessions and run sign-out-device on its own\)/);
    assert.doesNotMatch(r.stdout, /DELETE /);
    const after = await status(hs, account);
    assert.deepEqual(after.report.problems.map((p) => [p.code, p.subject]), [['device-self-signature-invalid', bad.deviceId]], 'the new session is cross-signed, the bad one is still there');
  });

  test('a healthy account: nothing to do, exit 0; a cause no repair fixes: exit 1, in words', async () => {
    const healthy = await buildAccount(hs, 'healthy', { devices: 2 });
    const ok = await cli(['fix', '--homeserver', hs.baseUrl, '--yes', '--password-stdin'], envOf(healthy), `${healthy.user.password}\n`);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Nothing to do: the account is healthy/);
    const { account: stuck } = await badSelfSignatureAccount(hs);
    const r = await cli(['fix', '--homeserver', hs.baseUrl, '--yes', '--password-stdin'], envOf(stuck), `${stuck.user.password}\n`);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /no repair can run for what is wrong: .*run sign-out-device on its own/);
    // Without the recovery key, on an account whose fix needs it: refused in words, nothing sent (a
    // fix on an account without secret storage needs none: it sets one up).
    const needsKey = await buildAccount(hs, 'backup-key-missing', { devices: 2 });
    const noKey = await cli(['fix', '--homeserver', hs.baseUrl, '--yes', '--password-stdin'], { XSIGN_TOKEN: needsKey.user.accessToken }, '\n');
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /needs the secret-storage key/);
  });
});
