// Unlock once: a repair inspects the account with the person's passphrase and then checks and
// uses the very key the report was built with, so PBKDF2 (the deliberately slow part, 100 000+
// iterations) runs once per prepared repair, not once for the report and again for the plan; and
// each secret is decrypted once, whether the report, the key proof or a builder asks for it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeBase64 } from '../base64.ts';
import { createMatrixClient } from '../matrix/client.ts';
import { createSecretStorageKeyDescription, deriveKeyFromPassphrase } from '../secret-storage.ts';
import { KEY_DESCRIPTION_PREFIX } from '../inspect/account-state.ts';
import { BACKUP_PRIVATE, healthyView, KEY_ID, KEYS_A, secretsOf, storeSecrets, USER, type ServerView } from '../inspect/fixture.test.ts';
import { prepareRepair } from './prepare-repair.ts';
import { fetchFromView } from './view-fetch.test.ts';

const PASSPHRASE = 'correct horse battery staple';
const SALT = 'unlock-once-salt';
const ITERATIONS = 100_000;

/** The healthy account, its secret-storage key made from PASSPHRASE. */
async function passphraseView(): Promise<ServerView> {
  const view = await healthyView();
  const key = await deriveKeyFromPassphrase(PASSPHRASE, SALT, ITERATIONS);
  view.accountData.set(`${KEY_DESCRIPTION_PREFIX}${KEY_ID}`,
    await createSecretStorageKeyDescription(key, { name: 'm.default', passphrase: { salt: SALT, iterations: ITERATIONS } }));
  await storeSecrets(view, { ...secretsOf(KEYS_A), 'm.megolm_backup.v1': encodeBase64(BACKUP_PRIVATE) }, [[KEY_ID, key]]);
  return view;
}

describe('prepareRepair unlocks secret storage once', () => {
  const subtle = globalThis.crypto.subtle;
  const original = subtle.deriveBits.bind(subtle);
  const originalVerify = subtle.verify.bind(subtle);
  let pbkdf2 = 0;
  let decryptions = 0;
  before(() => {
    // Count the PBKDF2 derivations (HKDF, used per secret, is cheap and not counted).
    subtle.deriveBits = ((algorithm: AlgorithmIdentifier, key: CryptoKey, length: number) => {
      if (typeof algorithm === 'object' && algorithm.name === 'PBKDF2') pbkdf2 += 1;
      return original(algorithm as Pbkdf2Params, key, length);
    }) as typeof subtle.deriveBits;
    // Every secret decryption starts with exactly one HMAC verify of its MAC (the key check
    // computes its MAC with sign, so it is not counted).
    subtle.verify = ((algorithm: AlgorithmIdentifier, key: CryptoKey, signature: BufferSource, data: BufferSource) => {
      if (algorithm === 'HMAC' || (typeof algorithm === 'object' && algorithm.name === 'HMAC')) decryptions += 1;
      return originalVerify(algorithm, key, signature, data);
    }) as typeof subtle.verify;
  });
  after(() => { subtle.deriveBits = original; subtle.verify = originalVerify; });

  it('a passphrase is run through PBKDF2 once for the report and the plan together', async () => {
    const view = await passphraseView();
    const client = createMatrixClient({ baseUrl: 'https://hs.example', accessToken: 'syt_test', fetch: fetchFromView(view) });
    pbkdf2 = 0;
    const prepared = await prepareRepair(client, { userId: USER, deviceId: 'DEVICEONE' },
      { kind: 'regenerate-subkeys', selfSigning: true, userSigning: false }, { passphrase: PASSPHRASE });
    assert.ok(prepared.ok, prepared.ok ? '' : `${prepared.error.code}: ${prepared.error.detail ?? ''}`);
    assert.equal(prepared.value.report.secretStorage.keyCheck, 'ok', 'the report was built with the key');
    assert.ok(prepared.value.plan.steps.some((s) => s.request.path.endsWith('/account_data/m.cross_signing.self_signing')),
      'the plan stores the new key under the same key');
    assert.equal(pbkdf2, 1, 'one PBKDF2 derivation');
    prepared.value.dispose();
  });

  it('each secret is decrypted once: by the report, and the builder reuses it', async () => {
    const view = await passphraseView();
    const client = createMatrixClient({ baseUrl: 'https://hs.example', accessToken: 'syt_test', fetch: fetchFromView(view) });
    decryptions = 0;
    // regenerate-subkeys reads the master seed from secret storage, which the report decrypted.
    const prepared = await prepareRepair(client, { userId: USER, deviceId: 'DEVICEONE' },
      { kind: 'regenerate-subkeys', selfSigning: true, userSigning: false }, { passphrase: PASSPHRASE });
    assert.ok(prepared.ok);
    const secrets = prepared.value.report.secretStorage.secrets.filter((s) => s.present).length;
    assert.equal(secrets, 4, 'the three cross-signing keys and the backup key');
    assert.equal(decryptions, secrets, 'one decryption per stored secret');
    prepared.value.dispose();
  });

  it('a wrong passphrase is refused after the same single derivation', async () => {
    const view = await passphraseView();
    const client = createMatrixClient({ baseUrl: 'https://hs.example', accessToken: 'syt_test', fetch: fetchFromView(view) });
    pbkdf2 = 0;
    const prepared = await prepareRepair(client, { userId: USER, deviceId: 'DEVICEONE' },
      { kind: 'regenerate-subkeys', selfSigning: true, userSigning: false }, { passphrase: `${PASSPHRASE}!` });
    assert.ok(!prepared.ok);
    assert.equal(prepared.error.code, 'wrong-key');
    assert.equal(pbkdf2, 1);
  });
});
