// The repair commands end to end: for fixture accounts on a real Synapse, run
// `xsign-doctor reset | regenerate | sign-devices | store-secrets | resign-backup | upload` as a subprocess (password on
// standard input with --password-stdin, confirmations skipped with --yes), then check the
// account with `status --json` and the server's keys directly.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  decodeBase64, decryptSecret, detectEd25519, encodeBase64, encodeRecoveryKey, exportFormOf, exportKeysFile, generateCrossSigningKeys, nobleEd25519,
  parseKeysExportFile, readKeysExportFile,
} from '../src/core/index.ts';
import { storedPublicKey } from './harness/stored-seeds.ts';
import { publishedKeys, publishedMaster } from './harness/server-keys.ts';
import { registerPrivateKey, registerSecret } from './harness/secrets-registry.ts';
import { callJson } from './harness/users.ts';
import { buildAccount, queryOwnKeys, type FixtureAccount } from './harness/identity.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { cli, statusJson } from './harness/cli-process.ts';


interface JsonReport { healthy: boolean; problems: { code: string; subject?: string }[] }

async function status(hs: SynapseInfo, account: FixtureAccount, recoveryKey?: string): Promise<JsonReport> {
  return (await statusJson<JsonReport>(hs.baseUrl, account.user.accessToken, recoveryKey)).report;
}

const codes = (r: JsonReport): string[] => r.problems.map((p) => p.code).sort();

/** A file holding an export passphrase (its first line), as a script would give it. */
function passphraseFile(passphrase: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'xsign-pass-')), 'passphrase');
  writeFileSync(file, `${passphrase}\n`, { mode: 0o600 });
  return file;
}

describe('xsign-doctor repair commands against Synapse', { concurrency: true }, () => {
  let hs: SynapseInfo;
  before(async () => { hs = await testSynapse(); });

  test('reset with no cross-signing: --export writes a 0600 file, encrypted, keys published without UIA', async () => {
    const account = await buildAccount(hs, 'no-cross-signing');
    const file = join(mkdtempSync(join(tmpdir(), 'xsign-repair-')), 'keys.json');
    const passphrase = 'export passphrase of the first reset';
    // Without a terminal and without a passphrase file, nothing is done.
    const refused = await cli(['reset', '--homeserver', hs.baseUrl, '--export', file, '--yes'], { XSIGN_TOKEN: account.user.accessToken });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /no terminal to ask for the export passphrase on/);
    assert.equal(await publishedMaster(account.user), undefined, 'nothing was sent');
    const r = await cli(['reset', '--homeserver', hs.baseUrl, '--export', file, '--export-passphrase-file', passphraseFile(passphrase), '--yes'], { XSIGN_TOKEN: account.user.accessToken });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /encrypted with your passphrase/);
    assert.match(r.stdout, /POST \/_matrix\/client\/v3\/keys\/device_signing\/upload/);
    assert.match(r.stdout, /Status after the repair/);
    assert.doesNotMatch(r.stderr, /Password/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, 'utf8');
    assert.equal(exportFormOf(text), 'encrypted');
    assert.ok(!(await parseKeysExportFile(text, await detectEd25519())).ok, 'no plaintext seed in the file');
    const parsed = await readKeysExportFile(text, passphrase, await detectEd25519());
    assert.ok(parsed.ok, 'the export decrypts and parses');
    assert.equal(parsed.value.userId, account.user.userId);
    const published = await publishedKeys(account.user);
    assert.deepEqual([published.master, published.selfSigning, published.userSigning],
      [parsed.value.publicKeys.master, parsed.value.publicKeys.selfSigning, parsed.value.publicKeys.userSigning]);
    // The preview and progress never show a private key, nor the passphrase.
    for (const seed of Object.values(parsed.value.seeds)) {
      registerPrivateKey(seed, 'a seed of the CLI export');
      assert.ok(!r.stdout.includes(encodeBase64(seed)) && !r.stderr.includes(encodeBase64(seed)));
    }
    assert.ok(!r.stdout.includes(passphrase) && !r.stderr.includes(passphrase));
    const after = await status(hs, account);
    assert.ok(!codes(after).includes('no-cross-signing'), codes(after).join(','));
    assert.deepEqual(codes(after), ['device-not-cross-signed', 'no-secret-storage']);
    // Never overwrites.
    const again = await cli(['reset', '--homeserver', hs.baseUrl, '--export', file, '--export-passphrase-file', passphraseFile(passphrase), '--yes'], { XSIGN_TOKEN: account.user.accessToken });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  test('reset of a healthy account: seeds stored in secret storage, wrong password then the right one', async () => {
    const account = await buildAccount(hs, 'healthy');
    const before = await publishedMaster(account.user);
    const r = await cli(['reset', '--homeserver', hs.baseUrl, '--password-stdin', '--yes'], {
      XSIGN_TOKEN: account.user.accessToken, XSIGN_RECOVERY_KEY: account.secretStorage!.recoveryKey,
    }, `not-the-password\n${account.user.password}\n`);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /password was not accepted/i);
    assert.ok(!r.stdout.includes(account.user.password) && !r.stderr.includes(account.user.password));
    const after = await publishedMaster(account.user);
    assert.ok(after !== undefined && after !== before, 'a new master is published');
    const report = await status(hs, account, account.secretStorage!.recoveryKey);
    // Only the other session is left signed by the old self-signing key.
    assert.deepEqual(codes(report), ['device-signed-by-old-key']);
    assert.equal(report.problems[0]!.subject, account.devices[1]!.deviceId);
  });

  test('sign-devices cross-signs the unsigned sessions', async () => {
    const account = await buildAccount(hs, 'devices-not-cross-signed');
    const r = await cli(['sign-devices', '--homeserver', hs.baseUrl, '--yes'], {
      XSIGN_TOKEN: account.user.accessToken, XSIGN_RECOVERY_KEY: account.secretStorage!.recoveryKey,
    });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, new RegExp(account.devices[1]!.deviceId));
    assert.match(r.stdout, /Status after the repair: healthy/);
    assert.deepEqual(codes(await status(hs, account, account.secretStorage!.recoveryKey)), []);
  });

  test('store-secrets copies the secrets from the other key to the default key', async () => {
    const account = await buildAccount(hs, 'secrets-non-default-key');
    const r = await cli(['store-secrets', '--homeserver', hs.baseUrl, '--yes'], {
      XSIGN_TOKEN: account.user.accessToken, XSIGN_RECOVERY_KEY: account.secretStorage!.recoveryKey,
      XSIGN_FROM_RECOVERY_KEY: account.otherSecretStorage!.recoveryKey,
    });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const report = await status(hs, account, account.secretStorage!.recoveryKey);
    assert.ok(!codes(report).includes('secret-not-under-default-key'), codes(report).join(','));
    assert.deepEqual(codes(report), []);
  });

  test('store-secrets --from-export stores the seeds of an export file', async () => {
    const account = await buildAccount(hs, 'secrets-missing');
    const cs = account.crossSigning!;
    const pair = (k: { seed: Uint8Array; publicKey: string }) => ({ seed: k.seed, publicKey: k.publicKey, key: {} as never });
    const file = join(mkdtempSync(join(tmpdir(), 'xsign-repair-')), 'keys.json');
    writeFileSync(file, exportKeysFile({ userId: account.user.userId, master: pair(cs.master), selfSigning: pair(cs.selfSigning), userSigning: pair(cs.userSigning) }));
    const r = await cli(['store-secrets', '--homeserver', hs.baseUrl, '--from-export', file, '--yes'], {
      XSIGN_TOKEN: account.user.accessToken, XSIGN_RECOVERY_KEY: account.secretStorage!.recoveryKey,
    });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.deepEqual(codes(await status(hs, account, account.secretStorage!.recoveryKey)), []);
  });

  test('reset kept only in an encrypted export, then store-secrets --from-export puts exactly the published keys in secret storage', async () => {
    const account = await buildAccount(hs, 'secrets-missing');
    const file = join(mkdtempSync(join(tmpdir(), 'xsign-repair-')), 'keys.json');
    const passphrase = 'export passphrase of the round trip';
    registerSecret('recovery-key', passphrase, 'the CLI export passphrase');
    const env = { XSIGN_TOKEN: account.user.accessToken };
    const reset = await cli(['reset', '--homeserver', hs.baseUrl, '--export', file, '--export-passphrase-file', passphraseFile(passphrase), '--password-stdin', '--yes'],
      env, `${account.user.password}\n`);
    assert.equal(reset.code, 0, `${reset.stdout}\n${reset.stderr}`);
    assert.equal(exportFormOf(readFileSync(file, 'utf8')), 'encrypted');
    const published = await publishedKeys(account.user);
    assert.notEqual(published.master, account.crossSigning!.master.publicKey, 'a new master is published');
    const withKey = { ...env, XSIGN_RECOVERY_KEY: account.secretStorage!.recoveryKey };
    // A wrong passphrase is refused before anything is sent.
    const wrong = await cli(['store-secrets', '--homeserver', hs.baseUrl, '--from-export', file, '--export-passphrase-file', passphraseFile('not the export passphrase'), '--yes'], withKey);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /wrong passphrase, or the file was altered\. Nothing was sent/);
    for (const role of ['master', 'selfSigning', 'userSigning'] as const) assert.equal(await storedPublicKey(hs, account, role, 'current'), null);
    const r = await cli(['store-secrets', '--homeserver', hs.baseUrl, '--from-export', file, '--export-passphrase-file', passphraseFile(passphrase), '--yes'], withKey);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    for (const role of ['master', 'selfSigning', 'userSigning'] as const) {
      assert.equal(await storedPublicKey(hs, account, role, 'current'), published[role], `the stored ${role} seed is the published key's`);
    }
    const report = await status(hs, account, account.secretStorage!.recoveryKey);
    assert.ok(!codes(report).some((c) => c.startsWith('secret-')), codes(report).join(','));
  });

  test('resign-backup signs the backup with the master', async () => {
    const account = await buildAccount(hs, 'backup-not-signed-by-master');
    const r = await cli(['resign-backup', '--homeserver', hs.baseUrl, '--yes'], {
      XSIGN_TOKEN: account.user.accessToken, XSIGN_RECOVERY_KEY: account.secretStorage!.recoveryKey,
    });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /PUT \/_matrix\/client\/v3\/room_keys\/version\//);
    assert.deepEqual(codes(await status(hs, account, account.secretStorage!.recoveryKey)), []);
  });

  test('regenerate --user-signing: only a new user-signing key, under the same master, old one kept aside', async () => {
    const account = await buildAccount(hs, 'healthy');
    const before = await queryOwnKeys(account.user);
    const me = account.user.userId;
    const r = await cli(['regenerate', '--homeserver', hs.baseUrl, '--user-signing', '--password-stdin', '--yes'],
      { XSIGN_TOKEN: account.user.accessToken, XSIGN_RECOVERY_KEY: account.secretStorage!.recoveryKey }, `${account.user.password}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"user_signing_key"/);
    assert.doesNotMatch(r.stdout, /"master_key"|"self_signing_key"/);
    const after = await queryOwnKeys(account.user);
    assert.deepEqual(after.master_keys?.[me], before.master_keys?.[me]);
    assert.deepEqual(after.self_signing_keys?.[me], before.self_signing_keys?.[me]);
    assert.notDeepEqual(after.user_signing_keys?.[me], before.user_signing_keys?.[me]);
    assert.equal(await storedPublicKey(hs, account, 'userSigning', 'previous'), Object.values(before.user_signing_keys![me]!.keys)[0]);
    assert.equal((await status(hs, account, account.secretStorage!.recoveryKey)).healthy, true);
  });

  test('upload --master-key/--self-signing-key/--user-signing-key: files holding JSON or seeds, validated first', async () => {
    const account = await buildAccount(hs, 'no-cross-signing');
    const ed = await detectEd25519();
    const keys = await generateCrossSigningKeys(account.user.userId, ed);
    const other = await generateCrossSigningKeys(account.user.userId, ed);
    const dir = mkdtempSync(join(tmpdir(), 'xsign-upload-'));
    const write = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text, { mode: 0o600 }); return p; };
    const env = { XSIGN_TOKEN: account.user.accessToken };
    const bad = await cli(['upload', '--homeserver', hs.baseUrl, '--yes',
      '--master-key', write('m.json', JSON.stringify(keys.master.key)), '--self-signing-key', write('bad-ssk.json', JSON.stringify(other.selfSigning.key)),
      '--user-signing-key', write('usk.json', JSON.stringify(keys.userSigning.key))], env);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /cannot plan upload: .*selfSigning key.*Nothing was sent/);
    assert.equal(await publishedMaster(account.user), undefined);
    const good = await cli(['upload', '--homeserver', hs.baseUrl, '--yes',
      '--master-key', write('m.seed', `${encodeBase64(keys.master.seed)}\n`), '--self-signing-key', write('ssk.seed', encodeBase64(keys.selfSigning.seed)),
      '--user-signing-key', join(dir, 'usk.json')], env);
    assert.equal(good.code, 0, good.stderr);
    assert.ok(!good.stdout.includes(encodeBase64(keys.master.seed)) && !good.stderr.includes(encodeBase64(keys.master.seed)), 'no seed printed');
    assert.equal(await publishedMaster(account.user), keys.master.publicKey);
  });

  test('refusals and no-ops: no safeguard, a password argument, no terminal, wrong key, dry run, upload of published keys', async () => {
    const account = await buildAccount(hs, 'healthy', { devices: 1 });
    const env = { XSIGN_TOKEN: account.user.accessToken };
    const before = await queryOwnKeys(account.user);
    const unsafe = await cli(['reset', '--homeserver', hs.baseUrl, '--yes'], env, `${account.user.password}\n`);
    assert.equal(unsafe.code, 2);
    assert.match(unsafe.stderr, /--recovery-key.*--export|Nothing was sent/s);
    const arg = await cli(['reset', '--homeserver', hs.baseUrl, '--export', '/tmp/never-written', '--password', account.user.password, '--yes'], env);
    assert.equal(arg.code, 2);
    assert.match(arg.stderr, /never given as an argument/);
    const noTty = await cli(['reset', '--homeserver', hs.baseUrl, '--recovery-key', account.secretStorage!.recoveryKey, '--password-stdin'], env, `${account.user.password}\n`);
    assert.equal(noTty.code, 2);
    assert.match(noTty.stderr, /--yes/);
    const wrongKey = await cli(['sign-devices', '--homeserver', hs.baseUrl, '--yes'], { ...env, XSIGN_RECOVERY_KEY: encodeRecoveryKey(new Uint8Array(32).fill(7)) });
    assert.equal(wrongKey.code, 2, wrongKey.stderr);
    assert.match(wrongKey.stderr, /does not match its key description/);
    const dry = await cli(['reset', '--homeserver', hs.baseUrl, '--recovery-key', account.secretStorage!.recoveryKey, '--dry-run'], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Dry run: nothing was sent/);
    const upload = await cli(['upload', '--homeserver', hs.baseUrl, '--yes'], { ...env, XSIGN_RECOVERY_KEY: account.secretStorage!.recoveryKey });
    assert.equal(upload.code, 0, upload.stderr);
    assert.match(upload.stdout, /Nothing to do: the keys in secret storage are the ones already published/);
    // Out of passwords (end of input after a wrong one): exit 1, the server state printed, no key published.
    const cancelled = await cli(['reset', '--homeserver', hs.baseUrl, '--password-stdin', '--yes'], { ...env, XSIGN_RECOVERY_KEY: account.secretStorage!.recoveryKey }, 'wrong\n');
    assert.equal(cancelled.code, 1, cancelled.stderr);
    assert.match(cancelled.stderr, /the repair did not complete/);
    assert.match(cancelled.stderr, /not published yet.*`xsign-doctor upload` publishes exactly those/);
    assert.match(cancelled.stdout, /The homeserver now publishes: master \S+ \(not this repair's\)/);
    assert.match(cancelled.stdout, /Server state now: .*problem/);
    assert.deepEqual(await queryOwnKeys(account.user), before, 'the server is unchanged');
    // Nothing lost: the new seeds were stored before the upload was abandoned, but the private
    // key of the master that is still published was kept aside and still decrypts to it.
    const kept = await callJson<{ secret: string; content: { encrypted: Record<string, { iv: string; ciphertext: string; mac: string }> } }>(
      hs.baseUrl, 'GET', `/_matrix/client/v3/user/${encodeURIComponent(account.user.userId)}/account_data/dev.xsign-doctor.previous.m.cross_signing.master`,
      { token: account.user.accessToken });
    assert.equal(kept.secret, 'm.cross_signing.master');
    const encrypted = kept.content.encrypted[account.secretStorage!.keyId]!;
    const seed = decodeBase64(await decryptSecret(account.secretStorage!.key, kept.secret, encrypted));
    assert.equal(encodeBase64(await nobleEd25519.publicKey(seed)), account.crossSigning!.master.publicKey);
    assert.equal(await publishedMaster(account.user), account.crossSigning!.master.publicKey);
  });

  test('previews redact every secret\'s ciphertext and MAC, the copies kept aside included; the recovery key read from a file', async () => {
    const account = await buildAccount(hs, 'healthy', { devices: 1 });
    const me = encodeURIComponent(account.user.userId);
    const stored: string[] = [];
    for (const name of ['m.cross_signing.master', 'm.cross_signing.self_signing', 'm.cross_signing.user_signing']) {
      const content = await callJson<{ encrypted: Record<string, { ciphertext: string; mac: string }> }>(
        hs.baseUrl, 'GET', `/_matrix/client/v3/user/${me}/account_data/${name}`, { token: account.user.accessToken });
      for (const entry of Object.values(content.encrypted)) stored.push(entry.ciphertext, entry.mac);
    }
    const keyFile = join(mkdtempSync(join(tmpdir(), 'xsign-repair-')), 'recovery-key');
    writeFileSync(keyFile, `${account.secretStorage!.recoveryKey}\n`, { mode: 0o600 });
    const dry = await cli(['reset', '--homeserver', hs.baseUrl, '--recovery-key-file', keyFile, '--dry-run'], { XSIGN_TOKEN: account.user.accessToken });
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stderr, '', 'no warning: the recovery key came from a file');
    assert.match(dry.stdout, /PUT \/_matrix\/client\/v3\/user\/[^/]+\/account_data\/dev\.xsign-doctor\.previous\.m\.cross_signing\.master/);
    for (const value of stored) assert.ok(!dry.stdout.includes(value), 'a stored ciphertext or MAC is printed');
    const shown = [...dry.stdout.matchAll(/"(ciphertext|mac)": "([^"]*)"/g)].map((m) => m[2]!);
    assert.ok(shown.length >= 12, `3 copies kept aside and 3 new secrets, each with a ciphertext and a MAC (${shown.length})`);
    for (const value of shown) assert.match(value, /^\[redacted: \d+ characters\]$/);
    assert.match(dry.stdout, /Dry run: nothing was sent/);
  });
});
