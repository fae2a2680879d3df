// "Nothing lost, under every key description" (issue #12, item 1): a secret-storage key is used to
// STORE anything only when proven (its description's key check matches, or a secret already
// stored under it decrypts), and never when its description asks for fewer than 100 000 PBKDF2
// iterations. The descriptions below stand in for a hostile (or very old) homeserver: Synapse
// stores whatever account data a client writes, so nothing here needs a server.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { encodeBase64 } from '../base64.ts';
import { nobleEd25519 } from '../ed25519.ts';
import { deriveSecretStorageKey } from '../inspect/secret-storage-key.ts';
import { calculateKeyCheck, createSecretStorageKeyDescription, deriveKeyFromPassphrase, encryptSecret, SECRET_STORAGE_ALGORITHM } from '../secret-storage.ts';
import { buildSubkeysForExistingMaster, generateCrossSigningKeys, type GeneratedCrossSigningKeys } from './keys.ts';
import { validateManualUpload } from './manual-upload.ts';
import { planManualUpload } from './plan-manual.ts';
import { planRegenerateSubkeys, planResetCrossSigning } from './plan-reset.ts';
import { planReencryptSecrets, planStoreCrossSigningSecrets } from './plan-secret-storage.ts';
import { putSecretStep } from './plans.ts';
import { prepareSecretStorageKey, readSeed, secretContentWith, type CheckedSecretStorageKey } from './secrets.ts';

const ALICE = '@alice:example.org';
const ed = nobleEd25519;
const KEY_ID = 'DEFAULTKEY';
const rand = (n = 32) => globalThis.crypto.getRandomValues(new Uint8Array(n));
/** Hostile-homeserver stand-in: a key description with no key check, which every key "passes". */
const NO_CHECK = { algorithm: SECRET_STORAGE_ALGORITHM, name: 'no check' };

let keys: GeneratedCrossSigningKeys;
let rightKey: Uint8Array;
let mistypedKey: Uint8Array;

before(async () => {
  keys = await generateCrossSigningKeys(ALICE, ed);
  rightKey = rand();
  mistypedKey = rand();
});

async function prepared(key: Uint8Array, description: unknown, secrets?: { name: string; content: unknown }[]): Promise<CheckedSecretStorageKey> {
  const r = await prepareSecretStorageKey({ keyId: KEY_ID, key, description, defaultKey: { key: KEY_ID }, ...(secrets === undefined ? {} : { secrets }) });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

/** The master secret as stored under KEY_ID with the right key. */
async function storedMaster(): Promise<{ name: string; content: unknown }> {
  const name = 'm.cross_signing.master';
  return { name, content: { encrypted: { [KEY_ID]: await encryptSecret(rightKey, name, encodeBase64(keys.master.seed)) } } };
}

describe('a key description without a key check proves nothing', () => {
  it('reset with a mistyped key and no secret under the key: refused, the reason in words', async () => {
    const ssss = await prepared(mistypedKey, NO_CHECK);
    const r = await planResetCrossSigning({ keys, ed, secretStorage: ssss });
    assert.ok(!r.ok, 'a plan storing the new private keys under an unproven key');
    assert.equal(r.error.code, 'unsafe-secret-storage-key');
    assert.match(r.error.message, /no key check \(iv\/mac\) and no secret is stored under it/);
    assert.match(r.error.message, /cannot prove/);
    // The export file stays a safeguard.
    assert.ok((await planResetCrossSigning({ keys, ed, exportConfirmed: true })).ok);
  });

  it('a secret under the key proves the right key, and disproves a mistyped one', async () => {
    const secrets = [await storedMaster()];
    const right = await prepared(rightKey, NO_CHECK, secrets);
    assert.deepEqual(right.proof, { kind: 'decrypted-secret', secret: 'm.cross_signing.master' });
    const ok = await planResetCrossSigning({ keys, ed, secretStorage: right });
    assert.ok(ok.ok && ok.value.safeguard === 'secret-storage');

    const wrong = await prepared(mistypedKey, NO_CHECK, secrets);
    assert.equal(wrong.proof.kind, 'unproven');
    const r = await planResetCrossSigning({ keys, ed, secretStorage: wrong });
    assert.ok(!r.ok && r.error.code === 'unsafe-secret-storage-key');
    assert.match(r.error.message, /none of the 1 secret stored under it decrypts with this key/);
  });

  it('a matching key check proves the key', async () => {
    const ssss = await prepared(rightKey, await createSecretStorageKeyDescription(rightKey));
    assert.deepEqual(ssss.proof, { kind: 'key-check' });
    const bad = await prepareSecretStorageKey({ keyId: KEY_ID, key: mistypedKey, description: await createSecretStorageKeyDescription(rightKey), defaultKey: { key: KEY_ID } });
    assert.ok(!bad.ok && bad.error.code === 'bad-secret-storage-key');
  });

  it('every path that stores a secret refuses an unproven key', async () => {
    const unproven = await prepared(mistypedKey, NO_CHECK);
    const refused = (r: { ok: boolean; error?: { code: string } }, what: string) => {
      assert.ok(!r.ok, `${what} planned a store under an unproven key`);
      assert.equal(r.error!.code, 'unsafe-secret-storage-key', what);
    };
    const sub = await buildSubkeysForExistingMaster(ALICE, keys.master.seed, { selfSigning: true }, ed);
    refused(await planRegenerateSubkeys({ subkeys: sub, publishedMaster: keys.master.key, secretStorage: unproven, ed }), 'regenerate');
    refused(await planStoreCrossSigningSecrets({
      userId: ALICE, seeds: { master: keys.master.seed }, published: { master: keys.master.key }, existing: {}, secretStorage: unproven, ed,
    }), 'store-secrets from an export');
    const otherKey = rand();
    const source = await prepared(otherKey, await createSecretStorageKeyDescription(otherKey));
    const content = { encrypted: { [source.keyId]: await encryptSecret(otherKey, 'm.megolm_backup.v1', encodeBase64(rand())) } };
    refused(await planReencryptSecrets({ userId: ALICE, secrets: [{ name: 'm.megolm_backup.v1', content }], source: { ...source, keyId: 'OTHER' }, target: unproven }), 're-encrypt');
    const v = await validateManualUpload({ master: keys.master.key, selfSigning: keys.selfSigning.key, userSigning: keys.userSigning.key,
      seeds: { master: encodeBase64(keys.master.seed) } }, { userId: ALICE }, ed);
    assert.ok(v.ok, v.ok ? '' : JSON.stringify(v.error));
    refused(await planManualUpload(v.value, { secretStorage: unproven }), 'manual upload');
    await assert.rejects(secretContentWith(undefined, 'm.cross_signing.master', 'x', unproven, 'none'), /refusing to store/);
  });
});

describe('PBKDF2 below 100 000 iterations: read, never store', () => {
  /** A description with a valid key check whose passphrase asks for `iterations` (hostile stand-in). */
  async function weakDescription(passphrase: string, iterations: number) {
    const salt = 'salty';
    const key = await deriveKeyFromPassphrase(passphrase, salt, iterations);
    const check = await calculateKeyCheck(key, rand(16).map((b, i) => (i === 8 ? b & 0x7f : b)));
    return { key, description: { algorithm: SECRET_STORAGE_ALGORITHM, passphrase: { algorithm: 'm.pbkdf2', salt, iterations }, ...check } };
  }

  it('1 iteration: the key reads secrets, but the reset is refused naming the count', async () => {
    const { description } = await weakDescription('hunter2', 1);
    const derived = await deriveSecretStorageKey({ passphrase: 'hunter2' }, description as never);
    assert.ok(derived.ok, 'reading with a low-iteration passphrase still works');
    const ssss = await prepared(derived.value, description);
    assert.deepEqual(ssss.proof, { kind: 'key-check' });
    const name = 'm.cross_signing.master';
    const content = { encrypted: { [KEY_ID]: await encryptSecret(derived.value, name, encodeBase64(keys.master.seed)) } };
    const seed = await readSeed(content, name, ssss);
    assert.ok(seed.ok && encodeBase64(seed.value) === encodeBase64(keys.master.seed));

    const r = await planResetCrossSigning({ keys, ed, secretStorage: ssss });
    assert.ok(!r.ok && r.error.code === 'unsafe-secret-storage-key');
    assert.match(r.error.message, /asks for only 1 PBKDF2 iteration \(at least 100000 are needed to store keys\)/);
    const sub = await buildSubkeysForExistingMaster(ALICE, keys.master.seed, { userSigning: true }, ed);
    const regen = await planRegenerateSubkeys({ subkeys: sub, publishedMaster: keys.master.key, secretStorage: ssss, ed });
    assert.ok(!regen.ok && /only 1 PBKDF2 iteration/.test(regen.error.message));
  });

  it('99 999 iterations are refused, 100 000 accepted', async () => {
    const { key, description } = await weakDescription('pw', 99_999);
    const r = await planResetCrossSigning({ keys, ed, secretStorage: await prepared(key, description) });
    assert.ok(!r.ok && /only 99999 PBKDF2 iterations/.test(r.error.message));
    const enough = await weakDescription('pw', 100_000);
    assert.ok((await planResetCrossSigning({ keys, ed, secretStorage: await prepared(enough.key, enough.description) })).ok);
  });
});

describe('every key description this tool writes has iv and mac', () => {
  it('createSecretStorageKeyDescription always writes the key check', async () => {
    const key = rand();
    for (const opts of [{}, { name: 'm.default' }, { passphrase: { salt: 's', iterations: 500_000 } }]) {
      const d = await createSecretStorageKeyDescription(key, opts);
      assert.equal(typeof d.iv, 'string', JSON.stringify(opts));
      assert.equal(typeof d.mac, 'string', JSON.stringify(opts));
      assert.deepEqual((await prepared(key, d)).proof, { kind: 'key-check' });
    }
  });

  it('the one account-data write step refuses a key description without iv and mac', async () => {
    const type = `m.secret_storage.key.${KEY_ID}`;
    assert.throws(() => putSecretStep('k', 'describe', ALICE, type, { ...NO_CHECK }), /without its key check/);
    assert.throws(() => putSecretStep('k', 'describe', ALICE, type, { ...NO_CHECK, iv: 'aXY' }), /without its key check/);
    const described = putSecretStep('k', 'describe', ALICE, type, { ...(await createSecretStorageKeyDescription(rightKey)) });
    assert.equal(described.kind, 'put-secret');
  });

  it('refuses passphrase iterations below 100 000, naming the count', async () => {
    await assert.rejects(createSecretStorageKeyDescription(rand(), { passphrase: { salt: 's', iterations: 1 } }), /iterations is 1: at least 100000/);
    await assert.rejects(createSecretStorageKeyDescription(rand(), { passphrase: { salt: 's', iterations: 99_999 } }), RangeError);
  });
});
