import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { decodeRecoveryKey } from './recovery-key.ts';
import {
  calculateKeyCheck,
  checkSecretStorageKey,
  createSecretStorageKeyDescription,
  decryptSecret,
  deriveKeyFromPassphrase,
  encryptSecret,
  SECRET_STORAGE_ALGORITHM,
  SecretStorageError,
} from './secret-storage.ts';
import type { EncryptedSecret, SecretStorageErrorCode } from './secret-storage.ts';

interface SecretStorageVectors {
  _comment: string;
  keyHex: string;
  recoveryKey: string;
  wrongKeyHex: string;
  keyDescription: { algorithm: string; name: string; iv: string; mac: string };
  keyDescriptionPadded: { algorithm: string; iv: string; mac: string };
  secrets: { description: string; name: string; plaintext: string; encrypted: EncryptedSecret }[];
  passphrases: { passphrase: string; salt: string; iterations: number; bits: number; keyHex: string }[];
  passphraseKey: {
    passphrase: string;
    keyHex: string;
    keyDescription: { passphrase: { salt: string; iterations: number; bits: number }; iv: string; mac: string };
    secret: { name: string; plaintext: string; encrypted: EncryptedSecret };
  };
}
const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/secret-storage.json', import.meta.url), 'utf8'),
) as SecretStorageVectors;

const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
const key = fromHex(vectors.keyHex);
const wrongKey = fromHex(vectors.wrongKeyHex);
const trim = (s: string): string => s.replace(/=+$/, '');
const pad = (s: string): string => s + '='.repeat((4 - (s.length % 4)) % 4);
const master = vectors.secrets[0]!;

async function assertCode(promise: Promise<unknown>, code: SecretStorageErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SecretStorageError, String(error));
    assert.equal(error.name, 'SecretStorageError');
    assert.equal(error.code, code);
    return true;
  });
}

/** Encrypt raw bytes the long way, independently of the module, to reach the non-UTF-8 branch. */
async function encryptRawBytes(name: string, plaintext: Uint8Array<ArrayBuffer>, iv: Uint8Array<ArrayBuffer>): Promise<EncryptedSecret> {
  const subtle = globalThis.crypto.subtle;
  const ikm = await subtle.importKey('raw', new Uint8Array(key), 'HKDF', false, ['deriveBits']);
  const okm = new Uint8Array(
    await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(8), info: new TextEncoder().encode(name) }, ikm, 512),
  );
  const aes = await subtle.importKey('raw', okm.slice(0, 32), 'AES-CTR', false, ['encrypt']);
  const hmac = await subtle.importKey('raw', okm.slice(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const ciphertext = new Uint8Array(await subtle.encrypt({ name: 'AES-CTR', counter: iv, length: 64 }, aes, plaintext));
  const mac = new Uint8Array(await subtle.sign('HMAC', hmac, ciphertext));
  return { iv: encodeBase64(iv), ciphertext: encodeBase64(ciphertext), mac: encodeBase64(mac) };
}

describe(`secret storage: Python fixtures (${vectors._comment.slice(0, 20)}…)`, () => {
  for (const secret of vectors.secrets) {
    it(`decrypts: ${secret.description}`, async () => {
      assert.equal(await decryptSecret(key, secret.name, secret.encrypted), secret.plaintext);
    });
    it(`re-encrypts byte for byte: ${secret.description}`, async () => {
      const iv = decodeBase64(secret.encrypted.iv);
      const encrypted = await encryptSecret(key, secret.name, secret.plaintext, iv);
      assert.deepEqual(encrypted, {
        iv: trim(secret.encrypted.iv),
        ciphertext: trim(secret.encrypted.ciphertext),
        mac: trim(secret.encrypted.mac),
      });
    });
  }

  it('accepts padded base64 for every field', async () => {
    const { iv, ciphertext, mac } = master.encrypted;
    const padded = { iv: pad(iv), ciphertext: pad(ciphertext), mac: pad(mac) };
    assert.notDeepEqual(padded, master.encrypted);
    assert.equal(await decryptSecret(key, master.name, padded), master.plaintext);
  });

  it('computes the key check of the key description', async () => {
    const check = await calculateKeyCheck(key, decodeBase64(vectors.keyDescription.iv));
    assert.deepEqual(check, { iv: vectors.keyDescription.iv, mac: vectors.keyDescription.mac });
  });

  it('recreates the key description from a fixed IV', async () => {
    const description = await createSecretStorageKeyDescription(key, { name: 'm.default', iv: decodeBase64(vectors.keyDescription.iv) });
    assert.deepEqual(description, vectors.keyDescription);
  });

  for (const p of vectors.passphrases) {
    it(`derives a key from a passphrase (${p.iterations} iterations, ${p.bits} bits)`, async () => {
      const derived = await deriveKeyFromPassphrase(p.passphrase, p.salt, p.iterations, p.bits);
      assert.equal(Buffer.from(derived).toString('hex'), p.keyHex);
    });
  }

  it('end to end: recovery key -> key check -> decrypt', async () => {
    const recovered = decodeRecoveryKey(vectors.recoveryKey);
    assert.deepEqual(recovered, key);
    assert.equal(await checkSecretStorageKey(recovered, vectors.keyDescription), true);
    assert.equal(await decryptSecret(recovered, master.name, master.encrypted), master.plaintext);
  });

  it('end to end: passphrase -> key check -> decrypt', async () => {
    const { passphrase, keyDescription, secret, keyHex } = vectors.passphraseKey;
    const { salt, iterations, bits } = keyDescription.passphrase;
    const derived = await deriveKeyFromPassphrase(passphrase, salt, iterations, bits);
    assert.equal(Buffer.from(derived).toString('hex'), keyHex);
    assert.equal(await checkSecretStorageKey(derived, keyDescription), true);
    assert.equal(await checkSecretStorageKey(await deriveKeyFromPassphrase(`${passphrase}!`, salt, iterations, bits), keyDescription), false);
    assert.equal(await decryptSecret(derived, secret.name, secret.encrypted), secret.plaintext);
  });
});

describe('encryptSecret / decryptSecret', () => {
  it('round-trips with a random IV', async () => {
    for (const plaintext of ['', 'x', 'a'.repeat(1000), '日本語 \u{1f511}', '\u0000\u2028']) {
      const encrypted = await encryptSecret(key, 'm.test', plaintext);
      assert.equal(await decryptSecret(key, 'm.test', encrypted), plaintext);
      assert.ok(!/=/.test(encrypted.iv + encrypted.ciphertext + encrypted.mac), 'writes unpadded base64');
    }
  });

  it('clears bit 63 of random IVs and does not repeat them', async () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { iv } = await encryptSecret(key, 'm.test', 'x');
      const bytes = decodeBase64(iv);
      assert.equal(bytes.length, 16);
      assert.equal(bytes[8]! & 0x80, 0, `iv ${iv}`);
      ivs.add(iv);
    }
    assert.equal(ivs.size, 200);
  });

  it('uses a given IV unchanged, even with bit 63 set', async () => {
    const iv = new Uint8Array(16).fill(0xff);
    iv[15] = 0; // keep the low 64-bit counter far from overflow
    const encrypted = await encryptSecret(key, 'm.test', 'hello', iv);
    assert.deepEqual(decodeBase64(encrypted.iv), iv);
    assert.equal(await decryptSecret(key, 'm.test', encrypted), 'hello');
  });

  it('agrees with an independent HKDF with the 8-byte zero salt js-sdk uses (docs/matrix-api.md#secret-encryption)', async () => {
    const iv = decodeBase64(master.encrypted.iv);
    const independent = await encryptRawBytes(master.name, new TextEncoder().encode(master.plaintext), new Uint8Array(iv));
    assert.deepEqual(independent, master.encrypted);
  });

  it('rejects the wrong key, the wrong name and tampering with bad-mac', async () => {
    await assertCode(decryptSecret(wrongKey, master.name, master.encrypted), 'bad-mac');
    await assertCode(decryptSecret(key, 'm.cross_signing.self_signing', master.encrypted), 'bad-mac');
    const flip = (text: string, at: number): string => {
      const bytes = decodeBase64(text);
      bytes[at]! ^= 1;
      return encodeBase64(bytes);
    };
    await assertCode(decryptSecret(key, master.name, { ...master.encrypted, ciphertext: flip(master.encrypted.ciphertext, 0) }), 'bad-mac');
    await assertCode(decryptSecret(key, master.name, { ...master.encrypted, mac: flip(master.encrypted.mac, 31) }), 'bad-mac');
    // The IV is not covered by the MAC (spec design): changing it yields garbage, not an error, so
    // callers must check the decrypted secret (e.g. derive the public key and compare).
    const garbled = await decryptSecret(key, master.name, { ...master.encrypted, iv: flip(master.encrypted.iv, 15) }).catch((e: unknown) => e);
    assert.ok(garbled instanceof SecretStorageError ? garbled.code === 'bad-encoding' : garbled !== master.plaintext);
  });

  it('rejects malformed fields with bad-encoding', async () => {
    const e = master.encrypted;
    const bad: unknown[] = [
      null,
      'string',
      [],
      {},
      { ...e, iv: undefined },
      { ...e, ciphertext: 1 },
      { ...e, mac: null },
      { ...e, iv: 'not base64!' },
      { ...e, ciphertext: `${e.ciphertext} ` },
      { ...e, mac: e.mac.replace(/[+/]/, '-') },
      { ...e, iv: encodeBase64(new Uint8Array(15)) },
      { ...e, iv: encodeBase64(new Uint8Array(17)) },
      { ...e, mac: encodeBase64(new Uint8Array(31)) },
    ];
    for (const encrypted of bad) {
      await assertCode(decryptSecret(key, master.name, encrypted as EncryptedSecret), 'bad-encoding');
    }
  });

  it('rejects authentic but non-UTF-8 plaintext with bad-encoding', async () => {
    const encrypted = await encryptRawBytes('m.test', Uint8Array.of(0x61, 0xff, 0xfe), new Uint8Array(16));
    await assertCode(decryptSecret(key, 'm.test', encrypted), 'bad-encoding');
  });

  it('throws TypeError/RangeError on programmer errors', async () => {
    await assert.rejects(encryptSecret('key' as unknown as Uint8Array, 'n', 'p'), TypeError);
    await assert.rejects(encryptSecret(new Uint8Array(0), 'n', 'p'), RangeError);
    await assert.rejects(encryptSecret(key, 1 as unknown as string, 'p'), TypeError);
    await assert.rejects(encryptSecret(key, 'n', new Uint8Array(1) as unknown as string), TypeError);
    await assert.rejects(encryptSecret(key, 'n', 'p', new Uint8Array(12)), RangeError);
    await assert.rejects(decryptSecret(key, undefined as unknown as string, master.encrypted), TypeError);
    await assert.rejects(calculateKeyCheck(key, new Uint8Array(8)), RangeError);
  });

  it('takes an explicit SubtleCrypto', async () => {
    const subtle = globalThis.crypto.subtle;
    const encrypted = await encryptSecret(key, 'm.test', 'hi', undefined, subtle);
    assert.equal(await decryptSecret(key, 'm.test', encrypted, subtle), 'hi');
    const broken = {} as SubtleCrypto;
    await assert.rejects(encryptSecret(key, 'm.test', 'hi', undefined, broken), TypeError);
  });
});

describe('checkSecretStorageKey (docs/matrix-api.md#secret-storage-key-check)', () => {
  it('accepts the right key, unpadded and padded', async () => {
    assert.equal(await checkSecretStorageKey(key, vectors.keyDescription), true);
    assert.equal(await checkSecretStorageKey(key, vectors.keyDescriptionPadded), true);
    assert.equal(await checkSecretStorageKey(key, { iv: vectors.keyDescription.iv, mac: pad(vectors.keyDescription.mac) }), true);
  });

  it('rejects the wrong key', async () => {
    assert.equal(await checkSecretStorageKey(wrongKey, vectors.keyDescription), false);
    assert.equal(await checkSecretStorageKey(wrongKey, vectors.keyDescriptionPadded), false);
  });

  it('assumes the key is valid when iv or mac is absent (spec)', async () => {
    assert.equal(await checkSecretStorageKey(wrongKey, {}), true);
    assert.equal(await checkSecretStorageKey(wrongKey, { iv: vectors.keyDescription.iv }), true);
    assert.equal(await checkSecretStorageKey(wrongKey, { mac: vectors.keyDescription.mac }), true);
    assert.equal(await checkSecretStorageKey(wrongKey, { iv: null, mac: null } as unknown as { iv: string }), true);
  });

  it('rejects present but malformed iv/mac', async () => {
    const { iv, mac } = vectors.keyDescription;
    const bad: unknown[] = [
      { iv: 1, mac },
      { iv, mac: 1 },
      { iv: 'not base64!', mac },
      { iv: encodeBase64(new Uint8Array(15)), mac },
      { iv, mac: '' },
      { iv, mac: mac.slice(1) },
      null,
      'description',
    ];
    for (const description of bad) {
      assert.equal(await checkSecretStorageKey(key, description as { iv?: string }), false, JSON.stringify(description));
    }
  });
});

describe('deriveKeyFromPassphrase', () => {
  it('defaults to 256 bits', async () => {
    const p = vectors.passphrases[0]!;
    assert.equal(Buffer.from(await deriveKeyFromPassphrase(p.passphrase, p.salt, p.iterations)).toString('hex'), p.keyHex);
  });
  it('validates its numbers', async () => {
    await assert.rejects(deriveKeyFromPassphrase('p', 's', 0), RangeError);
    await assert.rejects(deriveKeyFromPassphrase('p', 's', 1.5), RangeError);
    await assert.rejects(deriveKeyFromPassphrase('p', 's', 1, 0), RangeError);
    await assert.rejects(deriveKeyFromPassphrase('p', 's', 1, 12), RangeError);
    await assert.rejects(deriveKeyFromPassphrase(1 as unknown as string, 's', 1), TypeError);
    await assert.rejects(deriveKeyFromPassphrase('p', new Uint8Array(2) as unknown as string, 1), TypeError);
  });
});

describe('createSecretStorageKeyDescription', () => {
  it('creates a checkable description with a random IV (bit 63 clear)', async () => {
    const description = await createSecretStorageKeyDescription(key);
    assert.deepEqual(Object.keys(description).sort(), ['algorithm', 'iv', 'mac']);
    assert.equal(description.algorithm, SECRET_STORAGE_ALGORITHM);
    assert.equal(decodeBase64(description.iv)[8]! & 0x80, 0);
    assert.equal(await checkSecretStorageKey(key, description), true);
    assert.equal(await checkSecretStorageKey(wrongKey, description), false);
  });

  it('records passphrase parameters', async () => {
    const { keyDescription, keyHex } = vectors.passphraseKey;
    // The vector's 1000 iterations are too few for a description we write (the key check does
    // not depend on the passphrase parameters, so the vector's MAC still holds at 500 000).
    await assert.rejects(createSecretStorageKeyDescription(fromHex(keyHex), { passphrase: keyDescription.passphrase }), /iterations is 1000: at least 100000/);
    const passphrase = { ...keyDescription.passphrase, iterations: 500_000 };
    const description = await createSecretStorageKeyDescription(fromHex(keyHex), { passphrase, iv: decodeBase64(keyDescription.iv) });
    assert.deepEqual(description, { ...keyDescription, passphrase });
    const noBits = await createSecretStorageKeyDescription(key, { passphrase: { salt: 's', iterations: 100_000 } });
    assert.deepEqual(noBits.passphrase, { algorithm: 'm.pbkdf2', salt: 's', iterations: 100_000 });
  });

  it('validates options', async () => {
    await assert.rejects(createSecretStorageKeyDescription(key, { iv: new Uint8Array(1) }), RangeError);
    await assert.rejects(createSecretStorageKeyDescription(key, { passphrase: { salt: 's', iterations: 0 } }), RangeError);
    await assert.rejects(createSecretStorageKeyDescription(key, { passphrase: { salt: 1 as unknown as string, iterations: 1 } }), TypeError);
    await assert.rejects(createSecretStorageKeyDescription(key, { name: 1 as unknown as string }), TypeError);
  });
});
