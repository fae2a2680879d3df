import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, pbkdf2Sync } from 'node:crypto';
import { describe, it } from 'node:test';
import { encodeBase64 } from '../base64.ts';
import { nobleEd25519 } from '../ed25519.ts';
import { MAX_PBKDF2_ITERATIONS } from '../inspect/secret-storage-key.ts';
import { exportKeysFile, parseKeysExportFile } from './export.ts';
import {
  decryptKeysExport, encryptKeysExport, EXPORT_PBKDF2_ITERATIONS, exportFormOf, MIN_EXPORT_PBKDF2_ITERATIONS, readKeysExportFile, WRONG_PASSPHRASE,
} from './export-crypt.ts';
import { exportPassphraseProblem } from './export-passphrase.ts';
import type { KeyRole } from '../roles.ts';
import { crossSigningKeyFromSeed, generateCrossSigningKeys } from './keys.ts';

const ALICE = '@alice:example.org';
const PASSPHRASE = 'correct horse battery staple';
// The floor keeps these tests fast; one test checks the default a real file gets.
const FAST = { iterations: MIN_EXPORT_PBKDF2_ITERATIONS };
const NAMES = ['m.cross_signing.master', 'm.cross_signing.self_signing', 'm.cross_signing.user_signing'] as const;
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64').replace(/=+$/, '');

async function encryptedFile(passphrase = PASSPHRASE) {
  const keys = await generateCrossSigningKeys(ALICE, nobleEd25519);
  const plain = exportKeysFile(keys);
  const enc = await encryptKeysExport(plain, passphrase, FAST);
  assert.ok(enc.ok, enc.ok ? '' : enc.error);
  return { keys, plain, text: enc.value, file: JSON.parse(enc.value) as Record<string, any> };
}

describe('encrypted export file (version 2)', () => {
  it('round-trips: the seeds come back, checked against their public keys; no seed is in the file', async () => {
    const { keys, text, file } = await encryptedFile();
    assert.equal(exportFormOf(text), 'encrypted');
    assert.equal(file.format, 'xsign-doctor.cross-signing-keys');
    assert.equal(file.version, 2);
    assert.equal(file.user_id, ALICE);
    assert.deepEqual(file.public_keys, { master: keys.master.publicKey, self_signing: keys.selfSigning.publicKey, user_signing: keys.userSigning.publicKey });
    assert.deepEqual(file.encryption.algorithm, 'm.secret_storage.v1.aes-hmac-sha2');
    assert.equal(file.encryption.passphrase.algorithm, 'm.pbkdf2');
    assert.equal(file.encryption.passphrase.bits, 256);
    assert.equal(Buffer.from(file.encryption.passphrase.salt, 'base64').length, 32, 'a 32-byte random salt, base64');
    assert.deepEqual(Object.keys(file.secrets).sort(), [...NAMES].sort());
    for (const pair of [keys.master, keys.selfSigning, keys.userSigning]) assert.ok(!text.includes(encodeBase64(pair.seed)));
    const back = await readKeysExportFile(text, PASSPHRASE, nobleEd25519);
    assert.ok(back.ok, back.ok ? '' : back.error);
    assert.deepEqual(back.value.seeds, { master: keys.master.seed, selfSigning: keys.selfSigning.seed, userSigning: keys.userSigning.seed });
    assert.equal(back.value.userId, ALICE);
    // A second file of the same keys shares neither salt nor IVs.
    const again = JSON.parse((await encryptKeysExport(exportKeysFile(keys), PASSPHRASE, FAST) as { value: string }).value);
    assert.notEqual(again.encryption.passphrase.salt, file.encryption.passphrase.salt);
    assert.notEqual(again.secrets[NAMES[0]].iv, file.secrets[NAMES[0]].iv);
  });

  it('writes 600 000 iterations by default, and a subset of keys (a regeneration) round-trips', async () => {
    const keys = await generateCrossSigningKeys(ALICE, nobleEd25519);
    const enc = await encryptKeysExport(exportKeysFile({ userId: ALICE, selfSigning: keys.selfSigning }), PASSPHRASE);
    assert.ok(enc.ok);
    const file = JSON.parse(enc.value);
    assert.equal(file.encryption.passphrase.iterations, EXPORT_PBKDF2_ITERATIONS);
    assert.ok(EXPORT_PBKDF2_ITERATIONS >= 500_000);
    assert.deepEqual(Object.keys(file.secrets), ['m.cross_signing.self_signing']);
    const back = await readKeysExportFile(enc.value, PASSPHRASE, nobleEd25519);
    assert.ok(back.ok);
    assert.deepEqual(back.value.seeds, { selfSigning: keys.selfSigning.seed });
  });

  it('a wrong passphrase, or no passphrase, is a clear error', async () => {
    const { text } = await encryptedFile();
    assert.deepEqual(await decryptKeysExport(text, 'correct horse battery stapler'), { ok: false, error: WRONG_PASSPHRASE });
    assert.equal(WRONG_PASSPHRASE, 'wrong passphrase, or the file was altered');
    const none = await readKeysExportFile(text, undefined, nobleEd25519);
    assert.ok(!none.ok && /passphrase is needed/.test(none.error));
  });

  it('refuses short or mismatched passphrases when writing', async () => {
    const keys = await generateCrossSigningKeys(ALICE, nobleEd25519);
    const short = await encryptKeysExport(exportKeysFile(keys), 'short', FAST);
    assert.ok(!short.ok && /at least 10 characters/.test(short.error));
    assert.match(exportPassphraseProblem('123456789') ?? '', /at least 10/);
    assert.match(exportPassphraseProblem('1234567890', '1234567891') ?? '', /differ/);
    assert.equal(exportPassphraseProblem('1234567890', '1234567890'), null);
    const weak = await encryptKeysExport(exportKeysFile(keys), PASSPHRASE, { iterations: 1000 });
    assert.ok(!weak.ok);
  });

  describe('tampering is refused before anything is decrypted', () => {
    const flip = (s: string): string => {
      const bytes = Buffer.from(s, 'base64');
      bytes[0]! ^= 1;
      return bytes.toString('base64');
    };
    const cases: [string, (f: Record<string, any>) => void, RegExp][] = [
      ['ciphertext', (f) => { f.secrets[NAMES[0]].ciphertext = flip(f.secrets[NAMES[0]].ciphertext); }, /wrong passphrase, or the file was altered/],
      ['mac', (f) => { f.secrets[NAMES[1]].mac = flip(f.secrets[NAMES[1]].mac); }, /wrong passphrase, or the file was altered/],
      ['iv', (f) => { f.secrets[NAMES[2]].iv = flip(f.secrets[NAMES[2]].iv); }, /user_signing (secret is malformed, or the file was altered|seed does not match)/],
      ['salt', (f) => { f.encryption.passphrase.salt += 'x'; }, /wrong passphrase, or the file was altered/],
      ['iterations + 1', (f) => { f.encryption.passphrase.iterations += 1; }, /wrong passphrase, or the file was altered/],
      ['iterations lowered below the floor', (f) => { f.encryption.passphrase.iterations = 99_999; }, /only 99999 passphrase iterations \(at least 100000/],
      ['iterations above the cap', (f) => { f.encryption.passphrase.iterations = MAX_PBKDF2_ITERATIONS + 1; }, /at most 10000000/],
      ['iterations as a string', (f) => { f.encryption.passphrase.iterations = '100000'; }, /iteration count is malformed/],
      ['bits', (f) => { f.encryption.passphrase.bits = 512; }, /256 bits/],
      ['algorithm', (f) => { f.encryption.algorithm = 'none'; }, /not m\.secret_storage\.v1\.aes-hmac-sha2/],
      ['kdf', (f) => { f.encryption.passphrase.algorithm = 'scrypt'; }, /not m\.pbkdf2/],
      ['secrets swapped between names', (f) => {
        [f.secrets[NAMES[0]], f.secrets[NAMES[1]]] = [f.secrets[NAMES[1]], f.secrets[NAMES[0]]];
      }, /wrong passphrase, or the file was altered/],
      ['public key replaced', (f) => { f.public_keys.master = f.public_keys.self_signing; }, /master seed does not match its public key/],
      ['public key removed', (f) => { delete f.public_keys.user_signing; }, /no public key for m\.cross_signing\.user_signing/],
      ['unknown secret', (f) => { f.secrets['m.megolm_backup.v1'] = f.secrets[NAMES[0]]; }, /unknown secret/],
      ['ciphertext not base64', (f) => { f.secrets[NAMES[0]].ciphertext = '!!!'; }, /secret is malformed/],
      ['secret not an object', (f) => { f.secrets[NAMES[0]] = 'x'; }, /secret is malformed/],
      ['no secrets', (f) => { f.secrets = {}; }, /holds no key/],
      ['user id', (f) => { f.user_id = 'alice'; }, /no valid user_id/],
    ];
    for (const [what, mutate, expected] of cases) {
      it(what, async () => {
        const { file } = await encryptedFile();
        mutate(file);
        const r = await readKeysExportFile(JSON.stringify(file), PASSPHRASE, nobleEd25519);
        assert.ok(!r.ok, 'refused');
        assert.match(r.error, expected);
      });
    }
  });

  it('truncated and hostile JSON give a Result, never a throw, and never echo the content', async () => {
    const { text } = await encryptedFile();
    const hostile: unknown[] = [
      null, 42, 'x', [], {}, '{', '{"format":"xsign-doctor.cross-signing-keys","version":2}',
      { format: 'xsign-doctor.cross-signing-keys', version: 2, user_id: ALICE, encryption: null },
      { format: 'xsign-doctor.cross-signing-keys', version: 2, user_id: ALICE, encryption: { algorithm: 'm.secret_storage.v1.aes-hmac-sha2', passphrase: [] } },
      JSON.parse('{"format":"xsign-doctor.cross-signing-keys","version":2,"__proto__":{"user_id":"@a:b"}}'),
      { format: 'xsign-doctor.cross-signing-keys', version: 3 },
    ];
    for (let cut = 0; cut < text.length; cut += 37) hostile.push(text.slice(0, cut));
    for (const input of hostile) {
      const r = await decryptKeysExport(input, PASSPHRASE);
      assert.ok(!r.ok, `refused: ${JSON.stringify(input)?.slice(0, 60)}`);
      assert.ok(!r.error.includes('"ciphertext"'), 'the content is not echoed');
      const read = await readKeysExportFile(input, PASSPHRASE, nobleEd25519);
      assert.ok(!read.ok);
    }
    const proto = JSON.parse(text);
    proto.secrets = JSON.parse('{"__proto__":{"iv":"","ciphertext":"","mac":""}}');
    assert.ok(!(await decryptKeysExport(proto, PASSPHRASE)).ok);
    // A plaintext (version 1) text is not decrypted, and reads without a passphrase.
    const keys = await generateCrossSigningKeys(ALICE, nobleEd25519);
    const plain = exportKeysFile(keys);
    assert.equal(exportFormOf(plain), 'plaintext');
    assert.ok(!(await decryptKeysExport(plain, PASSPHRASE)).ok);
    assert.ok((await readKeysExportFile(plain, undefined, nobleEd25519)).ok);
    assert.equal(exportFormOf('{'), 'unknown');
  });

  describe('the format does what the README says, checked with node:crypto', () => {
    // Independent of src/core: PBKDF2-HMAC-SHA-512 over the salt string's UTF-8 bytes, then per
    // secret HKDF-SHA-256(salt = 32 zero bytes, info = secret name) → AES-256-CTR key ‖ HMAC-SHA-256
    // key; MAC over the ciphertext; plaintext = unpadded base64 of the seed.
    const derive = (passphrase: string, salt: string, iterations: number) => pbkdf2Sync(Buffer.from(passphrase, 'utf8'), Buffer.from(salt, 'utf8'), iterations, 32, 'sha512');
    const split = (key: Buffer, name: string) => {
      const okm = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(32), Buffer.from(name, 'utf8'), 64));
      return { aes: okm.subarray(0, 32), hmac: okm.subarray(32) };
    };

    it('a fixed-salt, fixed-IV file (test vector) is exactly what node:crypto computes', async () => {
      const seeds = { master: Buffer.alloc(32, 1), selfSigning: Buffer.alloc(32, 2), userSigning: Buffer.alloc(32, 3) };
      const keys = {
        userId: ALICE,
        master: await crossSigningKeyFromSeed(ALICE, 'master', seeds.master, nobleEd25519),
        selfSigning: await crossSigningKeyFromSeed(ALICE, 'selfSigning', seeds.selfSigning, nobleEd25519, seeds.master),
        userSigning: await crossSigningKeyFromSeed(ALICE, 'userSigning', seeds.userSigning, nobleEd25519, seeds.master),
      };
      const salt = 'xsign-doctor test vector salt';
      const ivs: Record<KeyRole, Uint8Array> = { master: new Uint8Array(16).fill(0x11), selfSigning: new Uint8Array(16).fill(0x22), userSigning: new Uint8Array(16).fill(0x33) };
      const enc = await encryptKeysExport(exportKeysFile(keys, new Date('2026-01-01T00:00:00Z')), PASSPHRASE, { ...FAST, salt, ivs });
      assert.ok(enc.ok);
      const file = JSON.parse(enc.value);
      assert.deepEqual(file.encryption, { algorithm: 'm.secret_storage.v1.aes-hmac-sha2', passphrase: { algorithm: 'm.pbkdf2', salt, iterations: 100_000, bits: 256 } });
      const key = derive(PASSPHRASE, salt, 100_000);
      for (const [role, name] of [['master', NAMES[0]], ['selfSigning', NAMES[1]], ['userSigning', NAMES[2]]] as const) {
        const { aes, hmac } = split(key, name);
        const cipher = createCipheriv('aes-256-ctr', aes, Buffer.from(ivs[role]));
        const ciphertext = Buffer.concat([cipher.update(b64(seeds[role]), 'utf8'), cipher.final()]);
        const mac = createHmac('sha256', hmac).update(ciphertext).digest();
        assert.deepEqual(file.secrets[name], { iv: b64(ivs[role]), ciphertext: b64(ciphertext), mac: b64(mac) }, name);
      }
    });

    it('a file written with node:crypto alone reads back', async () => {
      const keys = await generateCrossSigningKeys(ALICE, nobleEd25519);
      const salt = Buffer.alloc(32, 7).toString('base64');
      const key = derive(PASSPHRASE, salt, 150_000);
      const secrets: Record<string, { iv: string; ciphertext: string; mac: string }> = {};
      for (const [pair, name] of [[keys.master, NAMES[0]], [keys.selfSigning, NAMES[1]], [keys.userSigning, NAMES[2]]] as const) {
        const { aes, hmac } = split(key, name);
        const iv = Buffer.alloc(16, name.length);
        const cipher = createCipheriv('aes-256-ctr', aes, iv);
        const ciphertext = Buffer.concat([cipher.update(b64(pair.seed), 'utf8'), cipher.final()]);
        // Padded base64, as other writers may use: readers accept both.
        secrets[name] = { iv: iv.toString('base64'), ciphertext: ciphertext.toString('base64'), mac: createHmac('sha256', hmac).update(ciphertext).digest('base64') };
      }
      const text = JSON.stringify({
        format: 'xsign-doctor.cross-signing-keys', version: 2, user_id: ALICE, created_at: '2026-01-01T00:00:00Z',
        public_keys: { master: keys.master.publicKey, self_signing: keys.selfSigning.publicKey, user_signing: keys.userSigning.publicKey },
        encryption: { algorithm: 'm.secret_storage.v1.aes-hmac-sha2', passphrase: { algorithm: 'm.pbkdf2', salt, iterations: 150_000 } },
        secrets,
      });
      const back = await readKeysExportFile(text, PASSPHRASE, nobleEd25519);
      assert.ok(back.ok, back.ok ? '' : back.error);
      assert.deepEqual(back.value.seeds.master, keys.master.seed);
      // And node:crypto decrypts what the core writes.
      const mine = JSON.parse((await encryptKeysExport(exportKeysFile(keys), PASSPHRASE, FAST) as { value: string }).value);
      const k = derive(PASSPHRASE, mine.encryption.passphrase.salt, mine.encryption.passphrase.iterations);
      const { aes } = split(k, NAMES[1]);
      const entry = mine.secrets[NAMES[1]];
      const decipher = createDecipheriv('aes-256-ctr', aes, Buffer.from(entry.iv, 'base64'));
      const seed = Buffer.concat([decipher.update(Buffer.from(entry.ciphertext, 'base64')), decipher.final()]).toString('utf8');
      assert.equal(seed, encodeBase64(keys.selfSigning.seed));
      assert.ok((await parseKeysExportFile(exportKeysFile(keys), nobleEd25519)).ok);
    });
  });
});
