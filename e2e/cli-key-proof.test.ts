// "Nothing lost, under every key description" (issue #12, item 1), end to end with the CLI on a
// real Synapse: the reported loss — a reset with a mistyped passphrase against an account whose
// key description has no key check — and a description asking for 1 PBKDF2 iteration.
//
// Hostile-homeserver stand-in, on the REAL Synapse: the tool never writes such descriptions, but a
// hostile (or very old) server can serve them, and Synapse stores whatever account data a client
// PUTs, so the test setup writes them directly. Everything else is Synapse's own behaviour.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { detectEd25519, readKeysExportFile, v3 } from '../src/core/index.ts';
import { CROSS_SIGNING_SECRET_NAMES, DEFAULT_KEY_TYPE, keyDescriptionType, SECRET_NAMES } from './harness/fixture-common.ts';
import { buildAccount, clientFor, type FixtureAccount } from './harness/identity.ts';
import { setupSecretStorage } from './harness/secret-storage-fixture.ts';
import { publishedKeys } from './harness/server-keys.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { cli } from './harness/cli-process.ts';


/** Everything of secret storage the tool could write, as Synapse holds it now. */
async function secretStorageData(account: FixtureAccount): Promise<Record<string, unknown>> {
  const client = clientFor(account.user);
  const keyId = account.secretStorage!.keyId;
  const types = [
    DEFAULT_KEY_TYPE, keyDescriptionType(keyId), ...SECRET_NAMES,
    ...CROSS_SIGNING_SECRET_NAMES.flatMap((n) => [`dev.xsign-doctor.previous.${n}`, `dev.xsign-doctor.unpublished.${n}`]),
  ];
  const out: Record<string, unknown> = {};
  for (const type of types) out[type] = await client.getAccountData(account.user.userId, type);
  return out;
}

const roles = async (account: FixtureAccount) => {
  const { master, selfSigning, userSigning } = await publishedKeys(account.user);
  return { master, selfSigning, userSigning };
};

/** The export's passphrase, read by the CLI from a file (the export is encrypted by default). */
const EXPORT_PASSPHRASE = 'the export file passphrase';

/** The export file the CLI wrote, decrypted: its master must be the published one (nothing lost). */
async function exportedMaster(file: string): Promise<string> {
  const parsed = await readKeysExportFile(readFileSync(file, 'utf8'), EXPORT_PASSPHRASE, await detectEd25519());
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.value.publicKeys.master!;
}

const newFile = (): string => join(mkdtempSync(join(tmpdir(), 'xsign-key-proof-')), 'keys.json');
/** `--export FILE --export-passphrase-file F` for a new FILE. */
function exportFlags(): { file: string; flags: string[] } {
  const file = newFile();
  const passphraseFile = `${file}.passphrase`;
  writeFileSync(passphraseFile, `${EXPORT_PASSPHRASE}\n`, { mode: 0o600 });
  return { file, flags: ['--export', file, '--export-passphrase-file', passphraseFile] };
}

describe('xsign-doctor stores nothing under an unproven or weak secret-storage key (Synapse)', { concurrency: true }, () => {
  let hs: SynapseInfo;
  before(async () => { hs = await testSynapse(); });

  test('reset with a mistyped passphrase, key description without iv/mac: refused without --export, nothing sent; with it, the keys go only to the file', async () => {
    const passphrase = 'correct horse battery staple';
    const typo = 'correct horse battery stapel';
    const account = await buildAccount(hs, 'healthy', { passphrase });
    // Hostile-homeserver stand-in: the same description, its key check removed.
    const client = clientFor(account.user);
    const type = keyDescriptionType(account.secretStorage!.keyId);
    const { iv: _iv, mac: _mac, ...unchecked } = (await client.getAccountData(account.user.userId, type))!;
    await client.request('PUT', v3('user', account.user.userId, 'account_data', type), { body: unchecked });
    const env = { XSIGN_TOKEN: account.user.accessToken };
    const before = await secretStorageData(account);
    const publishedBefore = await roles(account);

    const refused = await cli(['reset', '--homeserver', hs.baseUrl, '--password-stdin', '--yes'], { ...env, XSIGN_PASSPHRASE: typo }, `${account.user.password}\n`);
    assert.equal(refused.code, 1, `${refused.stdout}\n${refused.stderr}`);
    assert.match(refused.stderr, /cannot plan reset: the tool cannot prove that the key you gave is secret-storage key/);
    assert.match(refused.stderr, /no key check \(iv\/mac\) and none of the 4 secrets stored under it decrypt with this key/);
    assert.match(refused.stderr, /save them in an export file instead \(--export FILE\)\. Nothing was sent\./);
    assert.deepEqual(await roles(account), publishedBefore, 'nothing published');
    assert.deepEqual(await secretStorageData(account), before, 'secret storage untouched');

    // Reading is honest: the right passphrase is proven by a secret, the typo by nothing.
    const right = await cli(['status', '--homeserver', hs.baseUrl, '--json'], { ...env, XSIGN_PASSPHRASE: passphrase });
    assert.equal((JSON.parse(right.stdout) as { secretStorage: { keyCheck: string } }).secretStorage.keyCheck, 'proven-by-secret');
    const wrong = await cli(['status', '--homeserver', hs.baseUrl, '--json'], { ...env, XSIGN_PASSPHRASE: typo });
    assert.equal((JSON.parse(wrong.stdout) as { secretStorage: { keyCheck: string } }).secretStorage.keyCheck, 'no-check-data');

    // The right passphrase is proven by the secrets it decrypts: the reset would store there.
    const dry = await cli(['reset', '--homeserver', hs.baseUrl, '--dry-run'], { ...env, XSIGN_PASSPHRASE: passphrase });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /the new private keys are stored in secret storage before anything is published/);

    const { file, flags } = exportFlags();
    const withExport = await cli(['reset', '--homeserver', hs.baseUrl, ...flags, '--password-stdin', '--yes'], { ...env, XSIGN_PASSPHRASE: typo }, `${account.user.password}\n`);
    assert.equal(withExport.code, 0, `${withExport.stdout}\n${withExport.stderr}`);
    assert.match(withExport.stdout, /NOT stored in secret storage \(the tool cannot prove/);
    const after = await roles(account);
    assert.notEqual(after.master, publishedBefore.master, 'a new master is published');
    assert.equal(after.master, await exportedMaster(file), 'its private key is in the export file');
    const stored = await secretStorageData(account);
    for (const name of SECRET_NAMES) assert.deepEqual(stored[name], before[name], `${name} was not written under the unproven key`);
  });

  test('a key description asking for 1 PBKDF2 iteration: reading works, a reset is refused naming the count, and goes through with --export', async () => {
    const passphrase = 'one iteration is not enough';
    const account = await buildAccount(hs, 'healthy');
    // Hostile-homeserver stand-in: the same secrets under a new default key made with 1 iteration.
    account.secretStorage = await setupSecretStorage(account.user, {
      passphrase, iterations: 1, crossSigning: account.crossSigning!, backupPrivateKey: account.backup!.privateKey,
    });
    const env = { XSIGN_TOKEN: account.user.accessToken, XSIGN_PASSPHRASE: passphrase };

    const status = await cli(['status', '--homeserver', hs.baseUrl, '--json'], env);
    assert.equal(status.code, 0, status.stdout);
    const report = JSON.parse(status.stdout) as { healthy: boolean; secretStorage: { keyCheck: string } };
    assert.ok(report.healthy && report.secretStorage.keyCheck === 'ok', 'the 1-iteration passphrase still reads secret storage');

    const before = await secretStorageData(account);
    const publishedBefore = await roles(account);
    const refused = await cli(['reset', '--homeserver', hs.baseUrl, '--password-stdin', '--yes'], env, `${account.user.password}\n`);
    assert.equal(refused.code, 1, `${refused.stdout}\n${refused.stderr}`);
    assert.match(refused.stderr, /asks for only 1 PBKDF2 iteration \(at least 100000 are needed to store keys\)/);
    assert.match(refused.stderr, /--export FILE\)\. Nothing was sent\./);
    assert.deepEqual(await roles(account), publishedBefore, 'nothing published');
    assert.deepEqual(await secretStorageData(account), before, 'secret storage untouched');

    const { file, flags } = exportFlags();
    const withExport = await cli(['reset', '--homeserver', hs.baseUrl, ...flags, '--password-stdin', '--yes'], env, `${account.user.password}\n`);
    assert.equal(withExport.code, 0, `${withExport.stdout}\n${withExport.stderr}`);
    const after = await roles(account);
    assert.notEqual(after.master, publishedBefore.master);
    assert.equal(after.master, await exportedMaster(file), 'its private key is in the export file');
    const stored = await secretStorageData(account);
    for (const name of SECRET_NAMES) assert.deepEqual(stored[name], before[name], `${name} was not written under the weak key`);
  });
});
