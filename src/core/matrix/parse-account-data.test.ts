import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseDefaultKey, parseKeyBackupVersion, parseSecretContent, parseSecretStorageKeyDescription,
} from './parse.ts';

const get = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!r.ok) assert.fail(r.error);
  return r.value;
};

describe('parseDefaultKey', () => {
  it('unset (null), {} and an empty key all mean "no default" (docs/matrix-api.md#secret-storage-account-data)', () => {
    for (const content of [null, undefined, {}, { key: '' }, { key: null }]) assert.equal(get(parseDefaultKey(content)), null);
  });
  it('returns the key ID, and rejects a non-string key or non-object content', () => {
    assert.deepEqual(get(parseDefaultKey({ key: 'abc', extra: 1 })), { key: 'abc' });
    for (const bad of [{ key: 5 }, { key: ['a'] }, [], 'abc']) assert.equal(parseDefaultKey(bad).ok, false, JSON.stringify(bad));
  });
});

describe('parseSecretStorageKeyDescription', () => {
  const example = {
    name: 'm.default', algorithm: 'm.secret_storage.v1.aes-hmac-sha2',
    passphrase: { algorithm: 'm.pbkdf2', salt: 'MmMsAlty', iterations: 100000, bits: 256 },
    iv: 'aWl2aXZpdml2aXZpdml2aQ', mac: 'bWFjbWFjbWFjbWFjbWFjbWFjbWFjbWFjbWFjbWFjbWE',
  };
  it('parses the docs/matrix-api.md#secret-storage-account-data example into a fresh object with known fields only', () => {
    const parsed = get(parseSecretStorageKeyDescription({ ...example, junk: { deep: true } }));
    assert.deepEqual(parsed, example);
    assert.notEqual(parsed.passphrase, example.passphrase);
  });
  it('accepts a bare description, and null for optional fields', () => {
    assert.deepEqual(get(parseSecretStorageKeyDescription({ algorithm: 'a', name: null, iv: null, passphrase: null })), { algorithm: 'a' });
  });
  it('rejects wrong types instead of casting', () => {
    for (const bad of [
      {}, { algorithm: 1 }, { ...example, iv: 16 }, { ...example, mac: ['m'] }, { ...example, name: {} },
      { ...example, passphrase: 'm.pbkdf2' },
      { ...example, passphrase: { ...example.passphrase, iterations: '100000' } },
      { ...example, passphrase: { ...example.passphrase, iterations: 0 } },
      { ...example, passphrase: { ...example.passphrase, iterations: 1.5 } },
      { ...example, passphrase: { ...example.passphrase, bits: 255 } },
      { ...example, passphrase: { ...example.passphrase, salt: 7 } },
      null, [],
    ]) assert.equal(parseSecretStorageKeyDescription(bad).ok, false, JSON.stringify(bad));
  });
});

describe('parseSecretContent', () => {
  const enc = { iv: 'aXY=', ciphertext: 'Y2lwaGVy', mac: 'bWFj' };
  it('content without encrypted is absent: js-sdk deletes a secret by writing {} (docs/matrix-api.md#secret-storage-account-data)', () => {
    for (const content of [null, undefined, {}, { encrypted: null }, { encrypted: {} }, { other: 1 }]) {
      assert.equal(get(parseSecretContent(content)), null, JSON.stringify(content));
    }
  });
  it('keeps every well-formed encryption, dropping malformed ones', () => {
    assert.deepEqual(get(parseSecretContent({ encrypted: { k1: enc, k2: { ...enc, mac: 1 }, k3: 'x' } })), { encrypted: { k1: enc } });
  });
  it('fails when nothing is usable or encrypted has the wrong type', () => {
    assert.equal(parseSecretContent({ encrypted: { k1: { iv: 'a' } } }).ok, false);
    assert.equal(parseSecretContent({ encrypted: [enc] }).ok, false);
    assert.equal(parseSecretContent('x').ok, false);
  });
  it('never lets a __proto__ key ID reach a prototype', () => {
    const parsed = get(parseSecretContent(JSON.parse(`{"encrypted":{"__proto__":${JSON.stringify(enc)},"k":${JSON.stringify(enc)}}}`)));
    assert.deepEqual(Object.keys(parsed?.encrypted ?? {}), ['k']);
    assert.equal(Object.getPrototypeOf(parsed?.encrypted), Object.prototype);
  });
});

describe('parseKeyBackupVersion', () => {
  const body = () => ({
    algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2',
    auth_data: { public_key: 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo', signatures: { '@alice:example.org': { 'ed25519:DEV': 'sig', 'ed25519:MASTER': 'sig2' } } },
    count: 42, etag: 'anopaquestring', version: '1',
  });
  it('parses docs/matrix-api.md#key-backup and returns auth_data as the very object received (it is signed)', () => {
    const b = body();
    const parsed = get(parseKeyBackupVersion(b));
    assert.equal(parsed.auth_data, b.auth_data);
    assert.deepEqual(parsed, b);
  });
  it('rejects missing or mistyped fields', () => {
    const mutations: ((b: Record<string, unknown>) => void)[] = [
      (b) => { b.count = '42'; }, (b) => { b.count = -1; }, (b) => { b.etag = 1; }, (b) => { b.version = 1; },
      (b) => { delete b.algorithm; }, (b) => { b.auth_data = 'x'; }, (b) => { b.auth_data = { signatures: {} }; },
      (b) => { b.auth_data = { public_key: 'k', signatures: { '@a:b': { k: 1 } } }; },
    ];
    for (const mutate of mutations) {
      const b: Record<string, unknown> = body();
      mutate(b);
      assert.equal(parseKeyBackupVersion(b).ok, false, JSON.stringify(b));
    }
  });
});
