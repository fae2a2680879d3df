import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Buffer } from 'node:buffer';
import { decodeBase64, encodeBase64 } from '../base64.ts';
import { curve25519PublicKey } from '../curve25519.ts';
import { nobleEd25519 } from '../ed25519.ts';
import { encodeRecoveryKey } from '../recovery-key.ts';
import { createSecretStorageKeyDescription, decryptSecret, encryptSecret } from '../secret-storage.ts';
import { signJson, verifyJsonSignature } from '../signing.ts';
import { TOKEN } from './fake-synapse.test.ts';
import { buildSubkeysForExistingMaster, generateCrossSigningKeys, type GeneratedCrossSigningKeys } from './keys.ts';
import { validateManualUpload } from './manual-upload.ts';
import { planResignBackup } from './plan-backup.ts';
import { planCrossSignDevices } from './plan-devices.ts';
import { planManualUpload } from './plan-manual.ts';
import { planRegenerateSubkeys, planResetCrossSigning } from './plan-reset.ts';
import { planReencryptSecrets, planStoreCrossSigningSecrets } from './plan-secret-storage.ts';
import { planUploadKeysFromSeeds } from './plan-upload-seeds.ts';
import type { RepairPlan } from './plans.ts';
import { prepareSecretStorageKey, type CheckedSecretStorageKey } from './secrets.ts';

const ALICE = '@alice:example.org';
const ed = nobleEd25519;
const rand = (n = 32) => globalThis.crypto.getRandomValues(new Uint8Array(n));

let keys: GeneratedCrossSigningKeys;
let old: GeneratedCrossSigningKeys;
let ssssKey: Uint8Array;
let otherSsssKey: Uint8Array;
let ssss: CheckedSecretStorageKey;
let otherSsss: CheckedSecretStorageKey;
let device: Record<string, unknown>;
let deviceSeed: Uint8Array;
let backupPrivate: Uint8Array;
let backup: Record<string, unknown>;

async function makeDevice(deviceId: string): Promise<{ device: Record<string, unknown>; seed: Uint8Array }> {
  const seed = rand();
  const pub = encodeBase64(await ed.publicKey(seed));
  const bare = {
    user_id: ALICE, device_id: deviceId, algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
    keys: { [`curve25519:${deviceId}`]: encodeBase64(rand()), [`ed25519:${deviceId}`]: pub },
  };
  const signed = await signJson(bare, { entity: ALICE, keyId: `ed25519:${deviceId}`, seed }, ed);
  return { device: { ...signed, unsigned: { device_display_name: 'Firefox on Linux' } }, seed };
}

before(async () => {
  keys = await generateCrossSigningKeys(ALICE, ed);
  old = await generateCrossSigningKeys(ALICE, ed);
  ssssKey = rand();
  otherSsssKey = rand();
  const description = await createSecretStorageKeyDescription(ssssKey, { name: 'm.default' });
  const r = await prepareSecretStorageKey({ keyId: 'DEFAULTKEY', key: ssssKey, description, defaultKey: { key: 'DEFAULTKEY' } });
  assert.ok(r.ok && r.value.isDefault);
  ssss = r.value;
  const r2 = await prepareSecretStorageKey({ keyId: 'OLDKEY', key: otherSsssKey, description: await createSecretStorageKeyDescription(otherSsssKey), defaultKey: { key: 'DEFAULTKEY' } });
  assert.ok(r2.ok && !r2.value.isDefault);
  otherSsss = r2.value;
  ({ device, seed: deviceSeed } = await makeDevice('ABCDEFGHIJ'));
  backupPrivate = rand();
  const authData = { public_key: encodeBase64(curve25519PublicKey(backupPrivate)) };
  const byDevice = await signJson(authData, { entity: ALICE, keyId: 'ed25519:ABCDEFGHIJ', seed: deviceSeed }, ed);
  const byOldMaster = await signJson(byDevice, { entity: ALICE, keyId: `ed25519:${old.master.publicKey}`, seed: old.master.seed }, ed);
  const withBob = { ...byOldMaster, signatures: { ...byOldMaster.signatures, '@bob:example.org': { 'ed25519:BOBDEVICE': 'c2ln' } } };
  backup = { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: withBob, count: 42, etag: '7', version: '3' };
});

/** No token and no private key, in any encoding we use, anywhere in the plan's JSON. */
function assertNoSecrets(value: unknown, secrets: Uint8Array[]): void {
  const json = JSON.stringify(value);
  assert.ok(!json.includes(TOKEN) && !json.includes('syt_'), 'an access token');
  for (const secret of secrets) {
    for (const form of [encodeBase64(secret), Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex'), Buffer.from(secret).toString('base64url')]) {
      assert.ok(!json.includes(form), `a private key (${form.slice(0, 6)}…)`);
    }
  }
  for (const secret of [ssssKey, otherSsssKey]) assert.ok(!json.includes(encodeRecoveryKey(secret).replaceAll(' ', '')));
  assert.deepEqual(JSON.parse(json), value, 'plain JSON');
}
const allSecrets = () => [keys.master.seed, keys.selfSigning.seed, keys.userSigning.seed, old.master.seed, old.selfSigning.seed,
  ssssKey, otherSsssKey, deviceSeed, backupPrivate];
const stepIds = (plan: RepairPlan) => plan.steps.map((s) => s.id);

describe('planResetCrossSigning', () => {
  it('(the secret scan itself catches a leaked seed or token)', () => {
    assert.throws(() => assertNoSecrets({ x: `..${encodeBase64(keys.master.seed)}..` }, [keys.master.seed]));
    assert.throws(() => assertNoSecrets({ x: Buffer.from(ssssKey).toString('hex') }, [ssssKey]));
    assert.throws(() => assertNoSecrets({ auth: TOKEN }, []));
  });

  it('stores the seeds, then uploads all three keys in one request, signs the device, re-signs the backup', async () => {
    const r = await planResetCrossSigning({
      keys, secretStorage: ssss, devices: [device], ed,
      backup: { version: backup, trust: { kind: 'backup-key', privateKey: backupPrivate }, deviceIds: ['ABCDEFGHIJ'] },
    });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    const plan = r.value;
    assertNoSecrets(plan, allSecrets());
    assert.deepEqual(stepIds(plan), ['store-master', 'store-self-signing', 'store-user-signing', 'upload-keys', 'sign-devices', 'resign-backup']);
    assert.equal(plan.safeguard, 'secret-storage');
    const [m, ss, us, upload, sign, resign] = plan.steps;
    assert.deepEqual(upload!.requires, ['store-master', 'store-self-signing', 'store-user-signing']);
    assert.deepEqual(upload!.request, {
      method: 'POST', path: '/_matrix/client/v3/keys/device_signing/upload', segments: ['_matrix', 'client', 'v3', 'keys', 'device_signing', 'upload'],
      body: { master_key: keys.master.key, self_signing_key: keys.selfSigning.key, user_signing_key: keys.userSigning.key },
    });
    assert.equal(upload!.uia, true);
    assert.equal(m!.request.path, '/_matrix/client/v3/user/%40alice%3Aexample.org/account_data/m.cross_signing.master');
    for (const [step, pair, name] of [[m, keys.master, 'm.cross_signing.master'], [ss, keys.selfSigning, 'm.cross_signing.self_signing'], [us, keys.userSigning, 'm.cross_signing.user_signing']] as const) {
      const encrypted = step!.request.body['encrypted'] as Record<string, never>;
      assert.deepEqual(Object.keys(encrypted), ['DEFAULTKEY']);
      assert.equal(await decryptSecret(ssssKey, name, encrypted['DEFAULTKEY']!), encodeBase64(pair.seed));
    }
    const signedDevice = (sign!.request.body[ALICE] as Record<string, Record<string, unknown>>)['ABCDEFGHIJ']!;
    assert.equal('unsigned' in signedDevice, false);
    assert.equal(await verifyJsonSignature(signedDevice, ALICE, `ed25519:${keys.selfSigning.publicKey}`, decodeBase64(keys.selfSigning.publicKey), ed), 'valid');
    assert.equal(await verifyJsonSignature(signedDevice, ALICE, 'ed25519:ABCDEFGHIJ', await ed.publicKey(deviceSeed), ed), 'valid', 'own signature kept');
    assert.equal(resign!.request.path, '/_matrix/client/v3/room_keys/version/3');
    const authData = (resign!.request.body as { auth_data: { signatures: Record<string, Record<string, string>> } }).auth_data;
    assert.deepEqual(Object.keys(resign!.request.body), ['algorithm', 'auth_data']);
    assert.deepEqual(Object.keys(authData.signatures[ALICE]!).sort(), ['ed25519:ABCDEFGHIJ', `ed25519:${keys.master.publicKey}`].sort());
    assert.deepEqual(authData.signatures['@bob:example.org'], { 'ed25519:BOBDEVICE': 'c2ln' });
    assert.equal(await verifyJsonSignature(authData, ALICE, `ed25519:${keys.master.publicKey}`, decodeBase64(keys.master.publicKey), ed), 'valid');
    assert.equal(await verifyJsonSignature(authData, ALICE, 'ed25519:ABCDEFGHIJ', await ed.publicKey(deviceSeed), ed), 'valid');
    assert.match(plan.id, /^reset-cross-signing-[0-9a-f]{24}$/);
  });

  it('"nothing lost": refuses to plan the upload without secret storage or a confirmed export', async () => {
    const r = await planResetCrossSigning({ keys, ed });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'nothing-lost');
    const declined = await planResetCrossSigning({ keys, ed, exportConfirmed: false });
    assert.ok(!declined.ok && declined.error.code === 'nothing-lost');
    const notDefault = await planResetCrossSigning({ keys, ed, secretStorage: otherSsss });
    assert.ok(!notDefault.ok && notDefault.error.code === 'bad-secret-storage-key');
  });

  it('with a confirmed export: only the upload (and follow-ups), no store steps', async () => {
    const r = await planResetCrossSigning({ keys, ed, exportConfirmed: true });
    assert.ok(r.ok);
    assert.equal(r.value.safeguard, 'export-confirmed');
    assert.deepEqual(stepIds(r.value), ['upload-keys']);
    assert.deepEqual(r.value.steps[0]!.requires, []);
    assertNoSecrets(r.value, allSecrets());
  });

  it('refuses to vouch for a backup without evidence, or for a device of someone else', async () => {
    const untrusted = await planResetCrossSigning({ keys, ed, exportConfirmed: true,
      backup: { version: backup, trust: { kind: 'backup-key', privateKey: rand() }, deviceIds: [] } });
    assert.ok(!untrusted.ok && untrusted.error.code === 'untrusted-backup');
    const bySignature = await planResetCrossSigning({ keys, ed, exportConfirmed: true,
      backup: { version: backup, trust: { kind: 'signature', keyId: 'ed25519:ABCDEFGHIJ', publicKey: encodeBase64(await ed.publicKey(deviceSeed)) }, deviceIds: ['ABCDEFGHIJ'] } });
    assert.ok(bySignature.ok);
    const bob = { ...device, user_id: '@bob:example.org' };
    const r = await planResetCrossSigning({ keys, ed, exportConfirmed: true, devices: [bob] });
    assert.ok(!r.ok && r.error.code === 'bad-input');
  });
});

describe('planRegenerateSubkeys', () => {
  it('uploads only the new subkeys, after storing them', async () => {
    const sub = await buildSubkeysForExistingMaster(ALICE, old.master.seed, { selfSigning: true }, ed);
    const r = await planRegenerateSubkeys({ subkeys: sub, publishedMaster: old.master.key, secretStorage: ssss, devices: [device], ed });
    assert.ok(r.ok);
    assert.deepEqual(stepIds(r.value), ['store-self-signing', 'upload-keys', 'sign-devices']);
    assert.deepEqual(Object.keys(r.value.steps[1]!.request.body), ['self_signing_key']);
    assertNoSecrets(r.value, [...allSecrets(), sub.selfSigning!.seed]);
    const mismatch = await planRegenerateSubkeys({ subkeys: sub, publishedMaster: keys.master.key, secretStorage: ssss, ed });
    assert.ok(!mismatch.ok && mismatch.error.code === 'seed-mismatch');
    const unsafe = await planRegenerateSubkeys({ subkeys: sub, publishedMaster: old.master.key, ed });
    assert.ok(!unsafe.ok && unsafe.error.code === 'nothing-lost');
  });
});

describe('planCrossSignDevices', () => {
  it('signs the given devices with the SSK whose seed derives the published key', async () => {
    const second = await makeDevice('KLMNOPQRST');
    const r = await planCrossSignDevices({ userId: ALICE, selfSigningSeed: old.selfSigning.seed, publishedSelfSigningKey: old.selfSigning.key, devices: [device, second.device], ed });
    assert.ok(r.ok);
    assert.deepEqual(Object.keys(r.value.steps[0]!.request.body[ALICE] as object), ['ABCDEFGHIJ', 'KLMNOPQRST']);
    assertNoSecrets(r.value, allSecrets());
    const wrong = await planCrossSignDevices({ userId: ALICE, selfSigningSeed: keys.selfSigning.seed, publishedSelfSigningKey: old.selfSigning.key, devices: [device], ed });
    assert.ok(!wrong.ok && wrong.error.code === 'seed-mismatch');
    const twice = await planCrossSignDevices({ userId: ALICE, selfSigningSeed: old.selfSigning.seed, publishedSelfSigningKey: old.selfSigning.key, devices: [device, device], ed });
    assert.ok(!twice.ok && twice.error.code === 'bad-input');
  });
});

describe('secret-storage plans', () => {
  it('stores a missing secret, keeping every existing entry', async () => {
    const existing = { encrypted: { OLDKEY: await encryptSecret(otherSsssKey, 'm.cross_signing.master', encodeBase64(old.master.seed)) }, 'org.example.extra': 1 };
    const r = await planStoreCrossSigningSecrets({
      userId: ALICE, seeds: { master: old.master.seed, selfSigning: old.selfSigning.seed },
      published: { master: old.master.key, selfSigning: old.selfSigning.key }, existing: { master: existing }, secretStorage: ssss, ed,
    });
    assert.ok(r.ok);
    assertNoSecrets(r.value, allSecrets());
    const master = r.value.steps[0]!.request.body as { encrypted: Record<string, never>; 'org.example.extra': number };
    assert.deepEqual(Object.keys(master.encrypted), ['OLDKEY', 'DEFAULTKEY']);
    assert.deepEqual(master.encrypted['OLDKEY'], existing.encrypted.OLDKEY);
    assert.equal(master['org.example.extra'], 1);
    assert.equal(await decryptSecret(ssssKey, 'm.cross_signing.master', master.encrypted['DEFAULTKEY']!), encodeBase64(old.master.seed));
  });

  it('skips what is already stored, and refuses to overwrite a different value unless told to', async () => {
    const same = { encrypted: { DEFAULTKEY: await encryptSecret(ssssKey, 'm.cross_signing.master', `${Buffer.from(old.master.seed).toString('base64')}`) } };
    const input = { userId: ALICE, seeds: { master: old.master.seed }, published: { master: old.master.key }, existing: { master: same }, secretStorage: ssss, ed };
    const r = await planStoreCrossSigningSecrets(input);
    assert.ok(!r.ok && r.error.code === 'nothing-to-do');
    const stale = { encrypted: { DEFAULTKEY: await encryptSecret(ssssKey, 'm.cross_signing.master', encodeBase64(keys.master.seed)) } };
    const refused = await planStoreCrossSigningSecrets({ ...input, existing: { master: stale } });
    assert.ok(!refused.ok && refused.error.code === 'would-overwrite');
    const forced = await planStoreCrossSigningSecrets({ ...input, existing: { master: stale }, overwriteStale: true });
    assert.ok(forced.ok && forced.value.notes.length === 1);
    const mismatch = await planStoreCrossSigningSecrets({ ...input, seeds: { master: keys.master.seed } });
    assert.ok(!mismatch.ok && mismatch.error.code === 'seed-mismatch');
  });

  it('re-encrypts secrets held only under a non-default key, adding the default entry', async () => {
    const backupSecret = encodeBase64(backupPrivate);
    const content = { encrypted: { OLDKEY: await encryptSecret(otherSsssKey, 'm.megolm_backup.v1', backupSecret) } };
    const done = { encrypted: { DEFAULTKEY: await encryptSecret(ssssKey, 'm.cross_signing.master', 'x') } };
    const r = await planReencryptSecrets({ userId: ALICE, source: otherSsss, target: ssss,
      secrets: [{ name: 'm.megolm_backup.v1', content }, { name: 'm.cross_signing.master', content: done }] });
    assert.ok(r.ok);
    assert.deepEqual(stepIds(r.value), ['reencrypt-m.megolm_backup.v1']);
    const body = r.value.steps[0]!.request.body as { encrypted: Record<string, never> };
    assert.deepEqual(body.encrypted['OLDKEY'], content.encrypted.OLDKEY);
    assert.equal(await decryptSecret(ssssKey, 'm.megolm_backup.v1', body.encrypted['DEFAULTKEY']!), backupSecret);
    assertNoSecrets(r.value, allSecrets());
    const wrongKey = await planReencryptSecrets({ userId: ALICE, source: ssss, target: ssss, secrets: [] });
    assert.ok(!wrongKey.ok);
    const unreadable = await planReencryptSecrets({ userId: ALICE, source: { ...otherSsss, key: rand() }, target: ssss, secrets: [{ name: 'm.megolm_backup.v1', content }] });
    assert.ok(!unreadable.ok && unreadable.error.code === 'secret-unreadable');
  });

  it('prepareSecretStorageKey rejects a key that does not match its description', async () => {
    const description = await createSecretStorageKeyDescription(ssssKey);
    const r = await prepareSecretStorageKey({ keyId: 'K', key: rand(), description, defaultKey: { key: 'K' } });
    assert.ok(!r.ok && r.error.code === 'bad-secret-storage-key');
  });
});

describe('planResignBackup and planManualUpload', () => {
  it('re-signs the backup with the current master, dropping only stale master signatures', async () => {
    const r = await planResignBackup({ userId: ALICE, masterSeed: keys.master.seed, publishedMaster: keys.master.key, backup,
      deviceIds: ['ABCDEFGHIJ'], trust: { kind: 'backup-key', privateKey: backupPrivate }, ed });
    assert.ok(r.ok);
    assert.deepEqual(r.value.notes, [`Stale signatures removed: ed25519:${old.master.publicKey}`]);
    assertNoSecrets(r.value, allSecrets());
    const wrongSeed = await planResignBackup({ userId: ALICE, masterSeed: old.master.seed, publishedMaster: keys.master.key, backup,
      deviceIds: [], trust: { kind: 'backup-key', privateKey: backupPrivate }, ed });
    assert.ok(!wrongSeed.ok && wrongSeed.error.code === 'seed-mismatch');
  });

  it('manual upload: stores given seeds first when a secret-storage key is given', async () => {
    const v = await validateManualUpload({ master: keys.master.key, selfSigning: keys.selfSigning.key, userSigning: keys.userSigning.key,
      seeds: { master: encodeBase64(keys.master.seed) } }, { userId: ALICE, masterPublicKey: old.master.publicKey }, ed);
    assert.ok(v.ok);
    const r = await planManualUpload(v.value, { secretStorage: ssss });
    assert.ok(r.ok);
    assert.deepEqual(stepIds(r.value), ['store-master', 'upload-keys']);
    assert.deepEqual(r.value.steps[1]!.requires, ['store-master']);
    assertNoSecrets(r.value, allSecrets());
    const bare = await planManualUpload(v.value);
    assert.ok(bare.ok);
    assert.deepEqual(stepIds(bare.value), ['upload-keys']);
  });
});

describe('planUploadKeysFromSeeds', () => {
  it('rebuilds byte-identical key objects from the stored seeds and uploads them in one request', async () => {
    const r = await planUploadKeysFromSeeds({ userId: ALICE, seeds: { master: keys.master.seed, selfSigning: keys.selfSigning.seed, userSigning: keys.userSigning.seed }, publishedMaster: old.master.key, ed });
    assert.ok(r.ok);
    assert.deepEqual(r.value.steps[0]!.request.body, { master_key: keys.master.key, self_signing_key: keys.selfSigning.key, user_signing_key: keys.userSigning.key });
    assert.equal(r.value.notes.length, 2);
    assertNoSecrets(r.value, allSecrets());
    const noMaster = await planUploadKeysFromSeeds({ userId: ALICE, seeds: {} as never, ed });
    assert.ok(!noMaster.ok && noMaster.error.code === 'bad-input');
  });
});

describe('reset keeps the replaced secrets aside', () => {
  it('copies each current cross-signing secret to dev.xsign-doctor.previous.<name> before overwriting it', async () => {
    const { storeThenUpload, PREVIOUS_SECRET_PREFIX } = await import('./plan-new-keys.ts');
    const { generateCrossSigningKeys } = await import('./keys.ts');
    const { nobleEd25519 } = await import('../ed25519.ts');
    const userId = '@alice:example.org';
    const keys = await generateCrossSigningKeys(userId, nobleEd25519);
    const ssssKey = new Uint8Array(32).fill(7);
    const previous = { encrypted: { KEY: { iv: 'aXY', ciphertext: 'Y3Q', mac: 'bWFj' } } };
    const r = await storeThenUpload(userId, keys, {
      secretStorage: { keyId: 'KEY', key: ssssKey, isDefault: true, proof: { kind: 'key-check' } } as never,
      previousSecrets: { 'm.cross_signing.master': previous, 'm.cross_signing.self_signing': {} },
    });
    assert.ok(r.ok);
    const ids = r.value.steps.map((s) => s.id);
    // Only a secret that exists (has `encrypted`) is kept, and before its store step.
    assert.deepEqual(ids.filter((id) => id.startsWith('keep-previous-')), ['keep-previous-store-master']);
    assert.ok(ids.indexOf('keep-previous-store-master') < ids.indexOf('store-master'));
    const keep = r.value.steps.find((s) => s.id === 'keep-previous-store-master')!;
    assert.equal(keep.request.segments.at(-1), `${PREVIOUS_SECRET_PREFIX}m.cross_signing.master`);
    assert.deepEqual(keep.request.body, { secret: 'm.cross_signing.master', content: previous });
    // The upload requires every earlier step, the keep steps included.
    assert.ok(r.value.steps.at(-1)!.requires.includes('keep-previous-store-master'));
  });
});
