import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBase64, encodeBase64 } from '../base64.ts';
import { canonicalJson } from '../canonical-json.ts';
import { nobleEd25519, webCryptoEd25519, type Ed25519 } from '../ed25519.ts';
import { verifyJsonSignature } from '../signing.ts';
import { exportKeysFile, parseKeysExportFile } from './export.ts';
import { buildSubkeysForExistingMaster, crossSigningKeyFromSeed, generateCrossSigningKeys, seedMatches } from './keys.ts';

const ALICE = '@alice:example.org';
const backends: Ed25519[] = [nobleEd25519, webCryptoEd25519()];
let counter = 0;
const fixedRandom = (n: number) => new Uint8Array(n).fill(++counter);

for (const ed of backends) {
  describe(`generateCrossSigningKeys (${ed.name})`, () => {
    it('makes three keys of the right shape; SSK and USK verify against the master; the master is unsigned', async () => {
      const keys = await generateCrossSigningKeys(ALICE, ed);
      const master = decodeBase64(keys.master.publicKey);
      assert.deepEqual(keys.master.key, { user_id: ALICE, usage: ['master'], keys: { [`ed25519:${keys.master.publicKey}`]: keys.master.publicKey } });
      assert.equal('signatures' in keys.master.key, false);
      for (const [pair, usage] of [[keys.selfSigning, 'self_signing'], [keys.userSigning, 'user_signing']] as const) {
        assert.deepEqual(pair.key.usage, [usage]);
        assert.deepEqual(pair.key.keys, { [`ed25519:${pair.publicKey}`]: pair.publicKey });
        assert.deepEqual(Object.keys(pair.key.signatures![ALICE]!), [`ed25519:${keys.master.publicKey}`]);
        assert.equal(await verifyJsonSignature(pair.key, ALICE, `ed25519:${keys.master.publicKey}`, master, ed), 'valid');
        assert.equal(await verifyJsonSignature(pair.key, ALICE, `ed25519:${pair.publicKey}`, decodeBase64(pair.publicKey), ed), 'not-signed');
        assert.ok(await seedMatches(pair.seed, pair.publicKey, ed));
      }
      assert.equal(new Set([keys.master, keys.selfSigning, keys.userSigning].map((p) => encodeBase64(p.seed))).size, 3);
    });

    it('rebuilding from the same seeds gives byte-identical objects (idempotent retry, docs/matrix-api.md#synapse-upload-uia)', async () => {
      const keys = await generateCrossSigningKeys(ALICE, ed);
      const again = await crossSigningKeyFromSeed(ALICE, 'selfSigning', keys.selfSigning.seed, nobleEd25519, keys.master.seed);
      assert.equal(canonicalJson(again.key), canonicalJson(keys.selfSigning.key));
      assert.equal(JSON.stringify(again.key), JSON.stringify(keys.selfSigning.key));
    });
  });
}

describe('key generation arguments', () => {
  it('uses the injected random source, and refuses one that does not give 32 bytes', async () => {
    const keys = await generateCrossSigningKeys(ALICE, nobleEd25519, fixedRandom);
    assert.equal(keys.master.seed[0], counter - 2);
    await assert.rejects(generateCrossSigningKeys(ALICE, nobleEd25519, () => new Uint8Array(16)), RangeError);
    await assert.rejects(generateCrossSigningKeys('alice', nobleEd25519), RangeError);
  });

  it('buildSubkeysForExistingMaster: only the selected subkeys, signed by that master', async () => {
    const keys = await generateCrossSigningKeys(ALICE, nobleEd25519);
    const sub = await buildSubkeysForExistingMaster(ALICE, keys.master.seed, { selfSigning: true }, nobleEd25519);
    assert.equal(sub.masterPublicKey, keys.master.publicKey);
    assert.equal(sub.userSigning, undefined);
    assert.equal(await verifyJsonSignature(sub.selfSigning!.key, ALICE, `ed25519:${keys.master.publicKey}`, decodeBase64(keys.master.publicKey), nobleEd25519), 'valid');
    assert.notEqual(sub.selfSigning!.publicKey, keys.selfSigning.publicKey);
    await assert.rejects(buildSubkeysForExistingMaster(ALICE, keys.master.seed, {}, nobleEd25519), TypeError);
  });

  it('crossSigningKeyFromSeed refuses a signed master and an unsigned subkey', async () => {
    const seed = new Uint8Array(32).fill(1);
    await assert.rejects(crossSigningKeyFromSeed(ALICE, 'master', seed, nobleEd25519, seed), TypeError);
    await assert.rejects(crossSigningKeyFromSeed(ALICE, 'userSigning', seed, nobleEd25519), TypeError);
  });
});

describe('export file', () => {
  it('holds user id, created-at, public keys and unpadded base64 seeds, and reads back', async () => {
    const keys = await generateCrossSigningKeys(ALICE, nobleEd25519);
    const text = exportKeysFile(keys, new Date('2026-08-01T12:00:00Z'));
    const file = JSON.parse(text);
    assert.equal(file.user_id, ALICE);
    assert.equal(file.created_at, '2026-08-01T12:00:00.000Z');
    assert.equal(file.master.public_key, keys.master.publicKey);
    assert.equal(file.self_signing.seed, encodeBase64(keys.selfSigning.seed));
    assert.ok(!file.user_signing.seed.endsWith('='));
    const back = await parseKeysExportFile(text, nobleEd25519);
    assert.ok(back.ok);
    assert.deepEqual(back.value.seeds.userSigning, keys.userSigning.seed);
    assert.equal(back.value.publicKeys.master, keys.master.publicKey);
  });

  it('rejects a file whose seed does not match its public key, and non-JSON without echoing it', async () => {
    const keys = await generateCrossSigningKeys(ALICE, nobleEd25519);
    const file = JSON.parse(exportKeysFile(keys));
    file.master.seed = encodeBase64(keys.userSigning.seed);
    const r = await parseKeysExportFile(JSON.stringify(file), nobleEd25519);
    assert.ok(!r.ok && r.error.includes('does not match'));
    const secret = encodeBase64(keys.master.seed);
    const broken = await parseKeysExportFile(`{"seed":"${secret}"`, nobleEd25519);
    assert.ok(!broken.ok && !broken.error.includes(secret));
    assert.throws(() => exportKeysFile({ userId: ALICE }), TypeError);
  });
});
