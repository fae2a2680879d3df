// The recovery repairs end to end in the CLI against Synapse (docs/repairs.md): setup-secret-storage
// (recovery key printed once or written to --recovery-key-out, never overwriting), set-default-key
// (a wrong key sends nothing), reset-backup (the old key kept aside, the old version left), and
// sign-out-device (with the password on stdin; never this session without the second flag).
// Each ends with `status --json` read with the recovery key the person now holds.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { decodeBase64, decodeRecoveryKey, decryptSecret, encodeRecoveryKey, verifyKeyCheck } from '../src/core/index.ts';
import { cli, statusJson } from './harness/cli-process.ts';
import { buildAccount, clientFor, DEFAULT_KEY_TYPE, keyDescriptionType, queryOwnKeys, type FixtureAccount } from './harness/identity.ts';
import { badSelfSignatureAccount, exportOnlyReset, privateDir } from './harness/recovery-states.ts';
import { registerSecret } from './harness/secrets-registry.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { callJson } from './harness/users.ts';

interface JsonReport { healthy: boolean; problems: { code: string; subject?: string; repair?: string }[]; backup?: { version?: string } | null }

async function status(hs: SynapseInfo, account: FixtureAccount, recoveryKey?: string): Promise<JsonReport> {
  return (await statusJson<JsonReport>(hs.baseUrl, account.user.accessToken, recoveryKey)).report;
}
const codes = (r: JsonReport): string[] => r.problems.map((p) => p.code).sort();

/** `passwords`: lines on stdin, one per authentication the server asks for (each sign-out asks its own). */
function repair(hs: SynapseInfo, account: FixtureAccount, verb: string, args: string[] = [], recoveryKey?: string, passwords = 1) {
  const env: Record<string, string> = { XSIGN_TOKEN: account.user.accessToken, ...(recoveryKey === undefined ? {} : { XSIGN_RECOVERY_KEY: recoveryKey }) };
  return cli([verb, '--homeserver', hs.baseUrl, '--yes', '--password-stdin', ...args], env, `${account.user.password}\n`.repeat(passwords));
}

const accountData = (account: FixtureAccount, type: string) =>
  clientFor(account.user).request('GET', ['_matrix', 'client', 'v3', 'user', account.user.userId, 'account_data', type]).catch(() => null) as Promise<Record<string, unknown> | null>;

describe('recovery repairs in the CLI against Synapse', { concurrency: true }, () => {
  let hs: SynapseInfo;
  before(async () => { hs = await testSynapse(); });

  test('no secret storage after an export-only reset: setup-secret-storage --from-export writes the recovery key 0600, never over a file; then healthy', async () => {
    const { account, exportFile } = await exportOnlyReset(hs);
    const before = await status(hs, account);
    assert.ok(before.problems.some((p) => p.code === 'no-secret-storage' && p.repair === 'create-secret-storage'), JSON.stringify(before.problems));
    const dir = privateDir();
    const existing = join(dir, 'taken.txt');
    writeFileSync(existing, 'keep me');
    const refused = await repair(hs, account, 'setup-secret-storage', ['--from-export', exportFile, '--recovery-key-out', existing]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /already exists/);
    assert.equal(readFileSync(existing, 'utf8'), 'keep me');
    assert.equal(await accountData(account, DEFAULT_KEY_TYPE), null, 'nothing was sent');

    const out = join(dir, 'recovery-key.txt');
    // The name status prints is accepted as the verb.
    const r = await repair(hs, account, 'create-secret-storage', ['--from-export', exportFile, '--recovery-key-out', out]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const recoveryKey = readFileSync(out, 'utf8').trim();
    registerSecret('recovery-key', recoveryKey, `new recovery key of ${account.user.userId}`);
    assert.ok(!r.stdout.includes(recoveryKey) && !r.stderr.includes(recoveryKey), 'written to the file only');
    assert.equal(encodeRecoveryKey(decodeRecoveryKey(recoveryKey)), recoveryKey, 'in its usual printed form');
    const keyId = (await accountData(account, DEFAULT_KEY_TYPE))?.key as string;
    const description = await accountData(account, keyDescriptionType(keyId));
    assert.equal(await verifyKeyCheck(decodeRecoveryKey(recoveryKey), description as never), 'match');
    const exported = JSON.parse(readFileSync(exportFile, 'utf8')) as { master: { seed: string } };
    const master = await accountData(account, 'm.cross_signing.master') as { encrypted: Record<string, never> };
    assert.deepEqual(decodeBase64(await decryptSecret(decodeRecoveryKey(recoveryKey), 'm.cross_signing.master', master.encrypted[keyId]!)), decodeBase64(exported.master.seed));

    const after = await status(hs, account, recoveryKey);
    assert.deepEqual(codes(after), ['device-not-cross-signed'], 'only the session the reset did not sign is left');
    const signed = await repair(hs, account, 'sign-devices', [], recoveryKey);
    assert.equal(signed.code, 0, signed.stderr);
    assert.deepEqual(codes(await status(hs, account, recoveryKey)), []);
  });

  test('setup-secret-storage without --recovery-key-out prints the recovery key once, with a new passphrase that opens it too', async () => {
    const { account, exportFile } = await exportOnlyReset(hs, { devices: 1 });
    const passFile = join(privateDir(), 'passphrase');
    writeFileSync(passFile, 'a long new secret-storage passphrase\n', { mode: 0o600 });
    // --dry-run: the plan, no recovery key (none is made until it runs), nothing sent.
    const dry = await cli(['setup-secret-storage', '--homeserver', hs.baseUrl, '--dry-run', '--from-export', exportFile], { XSIGN_TOKEN: account.user.accessToken });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /PUT \/_matrix\/client\/v3\/user\/.*\/account_data\/m\.secret_storage\.default_key/);
    assert.match(dry.stdout, /printed once, after you confirm/);
    assert.doesNotMatch(dry.stdout, /\bE[sS][a-zA-Z0-9]{2}(?: [a-zA-Z0-9]{4}){11}\b/);
    assert.equal(await accountData(account, DEFAULT_KEY_TYPE), null, 'a dry run sends nothing');
    const r = await repair(hs, account, 'setup-secret-storage', ['--from-export', exportFile, '--new-passphrase-file', passFile]);
    assert.equal(r.code, 0, r.stderr);
    const printed = [...r.stdout.matchAll(/\bE[sS][a-zA-Z0-9]{2}(?: [a-zA-Z0-9]{4}){11}\b/g)].map((m) => m[0]);
    assert.equal(printed.length, 1, r.stdout);
    registerSecret('recovery-key', printed[0]!, `printed recovery key of ${account.user.userId}`);
    assert.deepEqual(codes(await status(hs, account, printed[0])), []);
    const byPassphrase = await cli(['status', '--homeserver', hs.baseUrl, '--json', '--passphrase-file', passFile], { XSIGN_TOKEN: account.user.accessToken });
    assert.equal(byPassphrase.code, 0, byPassphrase.stdout);
  });

  test('no-default-key: set-default-key with a wrong recovery key sends nothing; with the right one, healthy', async () => {
    const account = await buildAccount(hs, 'no-default-key');
    const before = await status(hs, account, account.secretStorage!.recoveryKey);
    assert.ok(before.problems.some((p) => p.code === 'no-default-key' && p.repair === 'set-default-key'), JSON.stringify(before.problems));
    const wrong = encodeRecoveryKey(globalThis.crypto.getRandomValues(new Uint8Array(32)));
    const refused = await repair(hs, account, 'set-default-key', [], wrong);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /matches none of the secret-storage keys/);
    assert.equal(await accountData(account, DEFAULT_KEY_TYPE), null);
    const r = await repair(hs, account, 'set-default-key', [], account.secretStorage!.recoveryKey);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await accountData(account, DEFAULT_KEY_TYPE), { key: account.secretStorage!.keyId });
    assert.deepEqual(codes(await status(hs, account, account.secretStorage!.recoveryKey)), []);
  });

  test('reset-backup: the old key kept as dev.xsign-doctor.previous.m.megolm_backup.v1.<version>, the old version left, the new one trusted', async () => {
    const account = await buildAccount(hs, 'healthy');
    const { recoveryKey, key } = account.secretStorage!;
    const old = account.backup!;
    const r = await repair(hs, account, 'reset-backup', [], recoveryKey);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /POST \/_matrix\/client\/v3\/room_keys\/version/);
    const kept = await accountData(account, `dev.xsign-doctor.previous.m.megolm_backup.v1.${old.version}`) as { encrypted: Record<string, never> };
    assert.deepEqual(decodeBase64(await decryptSecret(key, `dev.xsign-doctor.previous.m.megolm_backup.v1.${old.version}`, kept.encrypted[account.secretStorage!.keyId]!)), old.privateKey);
    const after = await status(hs, account, recoveryKey);
    assert.deepEqual(codes(after), []);
    assert.notEqual(after.backup?.version, old.version);
    const oldVersion = await callJson<{ version: string }>(hs.baseUrl, 'GET', `/_matrix/client/v3/room_keys/version/${old.version}`, { token: account.user.accessToken });
    assert.equal(oldVersion.version, old.version, 'the old version stays');
  });

  test('backup-key-missing: reset-backup (the name status prints) → healthy', async () => {
    const account = await buildAccount(hs, 'backup-key-missing');
    const before = await status(hs, account, account.secretStorage!.recoveryKey);
    assert.ok(before.problems.some((p) => p.code === 'backup-key-missing' && p.repair === 'reset-backup'), JSON.stringify(before.problems));
    const r = await repair(hs, account, 'reset-backup', [], account.secretStorage!.recoveryKey);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(codes(await status(hs, account, account.secretStorage!.recoveryKey)), []);
  });

  test('sign-out-device: the session with a bad self-signature is signed out (password on stdin); this session only with --including-this-session', async () => {
    const { account, bad } = await badSelfSignatureAccount(hs);
    const before = await status(hs, account, account.secretStorage!.recoveryKey);
    assert.ok(before.problems.some((p) => p.code === 'device-self-signature-invalid' && p.subject === bad.deviceId && p.repair === 'sign-out-device'), JSON.stringify(before.problems));
    const self = await repair(hs, account, 'sign-out-device', ['--devices', account.user.deviceId]);
    assert.equal(self.code, 2);
    assert.match(self.stderr, /--including-this-session/);
    const r = await repair(hs, account, 'sign-out-device');
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, new RegExp(`DELETE /_matrix/client/v3/devices/${bad.deviceId}`));
    const devices = Object.keys((await queryOwnKeys(account.user)).device_keys?.[account.user.userId] ?? {});
    assert.ok(!devices.includes(bad.deviceId) && devices.includes(account.user.deviceId));
    assert.deepEqual(codes(await status(hs, account, account.secretStorage!.recoveryKey)), []);
  });

  test('sign-out-device --including-this-session signs this session out last and says its token is gone', async () => {
    const account = await buildAccount(hs, 'healthy', { devices: 2 });
    const other = account.devices[1]!.deviceId;
    const r = await repair(hs, account, 'sign-out-device', ['--devices', `${account.user.deviceId},${other}`, '--including-this-session'], undefined, 2);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.ok(r.stdout.indexOf(`devices/${other}`) < r.stdout.indexOf(`devices/${account.user.deviceId}`), 'this session last');
    assert.match(r.stdout, /This session was signed out/);
    const whoami = await cli(['whoami', '--homeserver', hs.baseUrl], { XSIGN_TOKEN: account.user.accessToken });
    assert.equal(whoami.code, 2, 'the token no longer works');
  });
});
