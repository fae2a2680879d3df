import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBase64 } from '../base64.ts';
import { webCryptoEd25519 } from '../ed25519.ts';
import { createSecretStorageKeyDescription } from '../secret-storage.ts';
import { signJson } from '../signing.ts';
import { DEFAULT_KEY_TYPE, KEY_DESCRIPTION_PREFIX } from './account-state.ts';
import {
  backupVersion, crossSigningKey, deviceKeys, DEVICES, ed, healthyView, identityKeys, KEY_ID, KEYS_A, KEYS_B,
  OTHER_KEY_ID, OTHER_SSSS_KEY, secretsOf, seed, SSSS_KEY, stateOf, storeSecrets, USER,
  type ServerView,
} from './fixture.test.ts';
import type { Problem } from './problems.ts';
import { buildReport } from './report.ts';

const pub = async (s: Uint8Array): Promise<string> => encodeBase64(await ed.publicKey(s));
const codes = (problems: Problem[]): string[] => problems.map((p) => (p.subject ? `${p.code}:${p.subject}` : p.code)).sort();
const report = (view: ServerView, key?: Uint8Array, deviceId = 'DEVICEONE') =>
  buildReport(stateOf(view), { userId: USER, deviceId, ed, ...(key ? { secretStorageKey: key } : {}) });

/** Replace every device with one carrying only its self-signature (plus optional SSK signature). */
async function resignDevices(view: ServerView, ssk?: Uint8Array): Promise<void> {
  const devices: Record<string, unknown> = {};
  for (const [id, s] of Object.entries(DEVICES)) devices[id] = await deviceKeys(id, s, ssk);
  view.keysQuery.device_keys = { [USER]: devices };
}

describe('buildReport: healthy identity', () => {
  it('reports no problem, with or without the recovery key, on both ed25519 backends', async () => {
    const view = await healthyView();
    for (const backend of [ed, webCryptoEd25519()]) {
      const r = await buildReport(stateOf(view), { userId: USER, deviceId: 'DEVICEONE', ed: backend, secretStorageKey: SSSS_KEY });
      assert.deepEqual(r.problems, [], backend.name);
      assert.equal(r.healthy, true);
    }
    const r = await report(view);
    assert.equal(r.healthy, true);
    assert.equal(r.secretStorage.keyCheck, undefined);
  });

  it('describes each key, device, secret and the backup', async () => {
    const r = await report(await healthyView(), SSSS_KEY);
    const m = await pub(KEYS_A.master);
    assert.equal(r.identity.master.publicKey, m);
    assert.equal(r.identity.master.keyId, `ed25519:${m}`);
    assert.equal(r.identity.master.status, 'ok');
    assert.equal(r.identity.master.signatureByMaster, 'n/a');
    assert.deepEqual(r.identity.master.deviceSignatures, [{ deviceId: 'DEVICEONE', result: 'valid' }]);
    assert.equal(r.identity.selfSigning.signatureByMaster, 'valid');
    assert.equal(r.identity.userSigning.signatureByMaster, 'valid');
    assert.deepEqual(r.devices.map((d) => [d.deviceId, d.selfSignature, d.crossSigned, d.isThisDevice, d.collidesWithKey, d.signable]), [
      ['DEVICEONE', 'valid', 'valid', true, false, true],
      ['DEVICETWO', 'valid', 'valid', false, false, true],
    ]);
    assert.equal(r.devices[0]!.displayName, 'DEVICEONE name');
    assert.equal(r.secretStorage.defaultKeyId, KEY_ID);
    assert.equal(r.secretStorage.keyCheck, 'ok');
    assert.deepEqual(r.secretStorage.keys.map((k) => [k.keyId, k.status, k.isDefault, k.supported, k.name]), [[KEY_ID, 'found', true, true, 'm.default']]);
    for (const s of r.secretStorage.secrets) {
      assert.equal(s.present, true);
      assert.deepEqual(s.keyIds, [KEY_ID]);
      assert.equal(s.encryptedUnderDefault, true);
      assert.equal(s.check?.decrypted, true, s.name);
      assert.equal(s.check?.matchesPublished, true, s.name);
    }
    assert.equal(r.secretStorage.secrets[1]!.check?.derivedPublicKey, await pub(KEYS_A.ssk));
    assert.equal(r.backup?.trustedByMaster, true);
    assert.equal(r.backup?.trusted, true);
    assert.equal(r.backup?.matchesSecretStorage, true);
    assert.deepEqual(r.backup?.signatures.map((s) => [s.signer, s.result]), [['master', 'valid'], ['device', 'valid']]);
  });

  it('is plain JSON and never contains a decrypted secret', async () => {
    const r = await report(await healthyView(), SSSS_KEY);
    const text = JSON.stringify(r);
    assert.deepEqual(JSON.parse(text), r);
    for (const secret of [...Object.values(secretsOf(KEYS_A)), encodeBase64(seed(41)), encodeBase64(SSSS_KEY)]) {
      assert.ok(!text.includes(secret), 'a secret leaked into the report');
    }
  });
});

describe('buildReport: broken states', () => {
  it('no cross-signing at all: one root problem, no per-device or per-secret noise', async () => {
    const view = await healthyView();
    for (const k of ['master_keys', 'self_signing_keys', 'user_signing_keys']) delete view.keysQuery[k];
    await resignDevices(view);
    for (const t of [...view.accountData.keys()]) view.accountData.delete(t);
    view.backup = null;
    const r = await report(view);
    assert.deepEqual(codes(r.problems), ['no-cross-signing', 'no-secret-storage']);
    assert.equal(r.problems[0]!.repair, 'reset-cross-signing');
    assert.equal(r.identity.master.status, 'missing');
    assert.deepEqual(r.devices.map((d) => d.crossSigned), ['absent', 'absent']);
  });

  it('no published identity but all keys in secret storage: repair is upload-keys', async () => {
    const view = await healthyView();
    for (const k of ['master_keys', 'self_signing_keys', 'user_signing_keys']) delete view.keysQuery[k];
    const r = await report(view);
    const p = r.problems.find((x) => x.code === 'no-cross-signing');
    assert.equal(p?.repair, 'upload-keys');
    assert.ok(!r.problems.some((x) => x.code === 'secret-missing'));
  });

  it('devices not cross-signed: one problem per device, repair sign-devices', async () => {
    const view = await healthyView();
    await resignDevices(view);
    const r = await report(view);
    assert.deepEqual(codes(r.problems), ['device-not-cross-signed:DEVICEONE', 'device-not-cross-signed:DEVICETWO']);
    assert.ok(r.problems.every((p) => p.repair === 'sign-devices'));
  });

  it('master replaced: devices carry only the old SSK signature, old secrets no longer match', async () => {
    const view = await healthyView();
    Object.assign(view.keysQuery, await identityKeys(KEYS_B));
    const r = await report(view, SSSS_KEY);
    assert.deepEqual(r.devices.map((d) => d.crossSigned), ['old-key', 'old-key']);
    assert.deepEqual(r.devices[0]!.oldSignerKeyIds, [`ed25519:${await pub(KEYS_A.ssk)}`]);
    assert.deepEqual(codes(r.problems), [
      'backup-not-trusted',
      'device-signed-by-old-key:DEVICEONE', 'device-signed-by-old-key:DEVICETWO',
      'secret-mismatch:m.cross_signing.master', 'secret-mismatch:m.cross_signing.self_signing',
      'secret-mismatch:m.cross_signing.user_signing',
    ]);
    assert.equal(r.problems.find((p) => p.subject === 'm.cross_signing.master')?.repair, 'reset-cross-signing');
    assert.equal(r.problems.find((p) => p.subject === 'm.cross_signing.user_signing')?.repair, 'regenerate-subkeys');
    // The backup's signatures: the old master is unknown now, DEVICEONE's is valid but it is not cross-signed.
    assert.deepEqual(r.backup?.signatures.map((s) => [s.signer, s.result]), [['unknown', 'not-checked'], ['device', 'valid']]);
    assert.equal(r.backup?.trusted, false);
    assert.equal(r.identity.master.deviceSignatures.length, 0);
  });

  it('secrets missing', async () => {
    const view = await healthyView();
    view.accountData.delete('m.cross_signing.user_signing');
    view.accountData.set('m.cross_signing.self_signing', {}); // js-sdk's "deleted"
    const r = await report(view, SSSS_KEY);
    assert.deepEqual(codes(r.problems), ['secret-missing:m.cross_signing.self_signing', 'secret-missing:m.cross_signing.user_signing']);
    assert.ok(r.problems.every((p) => p.repair === 'regenerate-subkeys'));
    view.accountData.delete('m.cross_signing.master');
    const r2 = await report(view);
    assert.equal(r2.problems.find((p) => p.subject === 'm.cross_signing.master')?.repair, 'reset-cross-signing');
  });

  it('secrets only under a non-default key', async () => {
    const view = await healthyView();
    view.accountData.set(`${KEY_DESCRIPTION_PREFIX}${OTHER_KEY_ID}`, await createSecretStorageKeyDescription(OTHER_SSSS_KEY));
    await storeSecrets(view, secretsOf(KEYS_A), [[OTHER_KEY_ID, OTHER_SSSS_KEY]]);
    const r = await report(view, SSSS_KEY);
    assert.deepEqual(codes(r.problems), [
      'secret-not-under-default-key:m.cross_signing.master', 'secret-not-under-default-key:m.cross_signing.self_signing',
      'secret-not-under-default-key:m.cross_signing.user_signing',
    ]);
    assert.ok(r.problems.every((p) => p.repair === 'store-secrets'));
    assert.deepEqual(r.secretStorage.keys.map((k) => [k.keyId, k.isDefault]), [[KEY_ID, true], [OTHER_KEY_ID, false]]);
    assert.equal(r.secretStorage.secrets[0]!.check?.error, 'not encrypted under this key');
    // With the other key given explicitly, its secrets check out.
    const r2 = await buildReport(stateOf(view), { userId: USER, ed, secretStorageKey: OTHER_SSSS_KEY, secretStorageKeyId: OTHER_KEY_ID });
    assert.equal(r2.secretStorage.keyCheck, 'ok');
    assert.equal(r2.secretStorage.secrets[0]!.check?.matchesPublished, true);
  });

  it('secrets that do not match the published keys (only detectable with the key)', async () => {
    const view = await healthyView();
    await storeSecrets(view, { 'm.cross_signing.self_signing': encodeBase64(seed(99)) }, [[KEY_ID, SSSS_KEY]]);
    assert.equal((await report(view)).healthy, true);
    const r = await report(view, SSSS_KEY);
    assert.deepEqual(codes(r.problems), ['secret-mismatch:m.cross_signing.self_signing']);
    assert.equal(r.secretStorage.secrets[1]!.check?.derivedPublicKey, await pub(seed(99)));
  });

  it('no default key', async () => {
    const view = await healthyView();
    view.accountData.delete(DEFAULT_KEY_TYPE);
    const r = await report(view, SSSS_KEY);
    assert.deepEqual(codes(r.problems), ['no-default-key']);
    // The key is still checked against the one key the secrets use.
    assert.equal(r.secretStorage.givenKeyId, KEY_ID);
    assert.equal(r.secretStorage.keyCheck, 'ok');
  });

  it('default key without description', async () => {
    const view = await healthyView();
    view.accountData.delete(`${KEY_DESCRIPTION_PREFIX}${KEY_ID}`);
    const r = await report(view, SSSS_KEY);
    assert.deepEqual(codes(r.problems), ['default-key-description-missing']);
    assert.equal(r.secretStorage.keyCheck, 'no-description');
    assert.equal(r.secretStorage.secrets[0]!.check?.matchesPublished, true);
  });

  it('backup key missing from secret storage', async () => {
    const view = await healthyView();
    view.accountData.delete('m.megolm_backup.v1');
    const r = await report(view, SSSS_KEY);
    assert.deepEqual(codes(r.problems), ['backup-key-missing:m.megolm_backup.v1']);
    assert.equal(r.problems[0]!.repair, 'reset-backup', 'a new backup whose key is stored');
    assert.equal(r.backup?.matchesSecretStorage, null);
  });

  it('backup key in secret storage that does not match the backup', async () => {
    const view = await healthyView();
    await storeSecrets(view, { 'm.megolm_backup.v1': encodeBase64(seed(98)) }, [[KEY_ID, SSSS_KEY]]);
    const r = await report(view, SSSS_KEY);
    assert.deepEqual(codes(r.problems), ['backup-key-mismatch:m.megolm_backup.v1']);
    assert.equal(r.backup?.matchesSecretStorage, false);
  });

  it('backup not signed by the master: trusted only through a cross-signed device', async () => {
    const view = await healthyView();
    view.backup = await backupVersion([{ keyId: 'ed25519:DEVICEONE', seed: DEVICES.DEVICEONE! }]);
    const r = await report(view);
    assert.equal(r.backup?.trustedByMaster, false);
    assert.equal(r.backup?.trusted, true);
    assert.deepEqual(codes(r.problems), ['backup-not-signed-by-master']);
    assert.equal(r.problems[0]!.repair, 'resign-backup');
    view.backup = await backupVersion([{ keyId: 'ed25519:SOMEONEELSE', seed: seed(77) }]);
    const r2 = await report(view);
    assert.deepEqual(codes(r2.problems), ['backup-not-trusted']);
    assert.equal(r2.problems[0]!.repair, 'resign-backup');
    view.backup = await backupVersion([]);
    assert.deepEqual(codes((await report(view)).problems), ['backup-not-trusted']);
  });

  it('wrong recovery key: one problem, nothing decrypted, no false mismatch', async () => {
    const r = await report(await healthyView(), seed(5));
    assert.deepEqual(codes(r.problems), ['wrong-recovery-key']);
    assert.equal(r.secretStorage.keyCheck, 'wrong-key');
    assert.ok(r.secretStorage.secrets.every((s) => s.check?.decrypted === false));
  });

  it('wrong key on a description without key check: told apart by every MAC failing', async () => {
    const view = await healthyView();
    view.accountData.set(`${KEY_DESCRIPTION_PREFIX}${KEY_ID}`, { algorithm: 'm.secret_storage.v1.aes-hmac-sha2' });
    const r = await report(view, seed(5));
    assert.equal(r.secretStorage.keyCheck, 'no-check-data');
    assert.deepEqual(codes(r.problems), ['wrong-recovery-key']);
    const right = await report(view, SSSS_KEY);
    assert.equal(right.healthy, true);
    // Honest: the right key is shown right by a secret it decrypts, not by the missing check.
    assert.equal(right.secretStorage.keyCheck, 'proven-by-secret');
  });

  it('no secret storage while cross-signing exists', async () => {
    const view = await healthyView();
    for (const t of [...view.accountData.keys()]) view.accountData.delete(t);
    const r = await report(view);
    assert.deepEqual(codes(r.problems), ['backup-key-missing:m.megolm_backup.v1', 'no-secret-storage']);
  });

  it('SSK missing, or not signed by the master: subkey problems, device problems held back', async () => {
    const view = await healthyView();
    delete view.keysQuery.self_signing_keys;
    const r = await report(view);
    assert.deepEqual(codes(r.problems), ['self-signing-key-missing:self_signing']);
    assert.equal(r.problems[0]!.repair, 'regenerate-subkeys');
    const view2 = await healthyView();
    view2.keysQuery.user_signing_keys = { [USER]: await crossSigningKey('user_signing', KEYS_A.usk, seed(50)) };
    assert.deepEqual(codes((await report(view2)).problems), ['user-signing-not-signed-by-master:user_signing']);
  });

  it('a validly self-signed device whose ID is a cross-signing key: logged out, never offered for cross-signing', async () => {
    const view = await healthyView();
    const ssk = await pub(KEYS_A.ssk);
    (view.keysQuery.device_keys![USER] as Record<string, unknown>)[ssk] = await deviceKeys(ssk, seed(77));
    const r = await report(view);
    const collider = r.devices.find((d) => d.deviceId === ssk)!;
    // Its own signature sits under ed25519:<ssk>, so it even passes for a broken SSK signature.
    assert.deepEqual([collider.selfSignature, collider.crossSigned, collider.collidesWithKey, collider.signable], ['valid', 'invalid', true, false]);
    // sign-devices would skip it, so no problem may point there: the collision is the root.
    assert.deepEqual(codes(r.problems), [`device-id-collides-with-key:${ssk}`]);
  });

  it('a device whose own signature is broken is flagged, and never offered for cross-signing', async () => {
    const view = await healthyView();
    const devices = view.keysQuery.device_keys![USER] as Record<string, Record<string, unknown>>;
    devices.DEVICETWO = { ...devices.DEVICETWO!, algorithms: ['tampered'] };
    const r = await report(view);
    assert.deepEqual(r.devices.map((d) => [d.selfSignature, d.crossSigned, d.signable]), [['valid', 'valid', true], ['invalid', 'invalid', false]]);
    assert.deepEqual(codes(r.problems), ['device-self-signature-invalid:DEVICETWO']);
  });

  it('verifies a device signature on the master made by a device it does not know', async () => {
    const view = await healthyView();
    const masterKey = view.keysQuery.master_keys![USER] as Record<string, unknown>;
    view.keysQuery.master_keys![USER] = await signJson(masterKey, { entity: USER, keyId: 'ed25519:GONE', seed: seed(60) }, ed);
    const r = await report(view);
    assert.deepEqual(r.identity.master.deviceSignatures, [{ deviceId: 'DEVICEONE', result: 'valid' }, { deviceId: 'GONE', result: 'unknown-device' }]);
    assert.equal(r.healthy, true);
  });
});
