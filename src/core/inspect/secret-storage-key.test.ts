import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeRecoveryKey } from '../recovery-key.ts';
import { checkSecretStorageKey, createSecretStorageKeyDescription, deriveKeyFromPassphrase } from '../secret-storage.ts';
import type { SecretStorageKeyDescription } from '../matrix/types.ts';
import { deriveSecretStorageKey, MAX_PBKDF2_ITERATIONS } from './secret-storage-key.ts';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i);
const withPassphrase = (iterations: number, extra: Partial<SecretStorageKeyDescription['passphrase']> = {}): SecretStorageKeyDescription => ({
  algorithm: 'm.secret_storage.v1.aes-hmac-sha2', passphrase: { algorithm: 'm.pbkdf2', salt: 'salty', iterations, ...extra },
});

describe('deriveSecretStorageKey', () => {
  it('decodes a recovery key, with spaces or without, and needs no description', async () => {
    const text = encodeRecoveryKey(KEY);
    assert.equal(text, 'EsSz ykH7 LCZx 7Cae cmKD wcmY JRXi Ybtu 8iQ3 t8Ez nRwK pUY1');
    for (const input of [text, text.replace(/ /g, ''), `  ${text}\n`]) {
      const r = await deriveSecretStorageKey({ recoveryKey: input }, null);
      assert.ok(r.ok);
      assert.deepEqual(r.value, KEY);
    }
  });

  it('names what is wrong with a recovery key', async () => {
    const cases: [string, string][] = [
      ['', 'empty'], ['EsSz 0OIl', 'alphabet'], ['EsSz ykH7', 'length'],
      [encodeRecoveryKey(KEY).replace('pUY1', 'pUY2'), 'parity'],
    ];
    for (const [input, code] of cases) {
      const r = await deriveSecretStorageKey({ recoveryKey: input }, null);
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'recovery-key-invalid');
      assert.equal(r.error.recoveryKeyError, code, input);
      assert.match(r.error.message, /^That is not a valid recovery key: /);
    }
  });

  it('derives a passphrase key that passes the key check of its description', async () => {
    const key = await deriveKeyFromPassphrase('correct horse', 'salty', 100_000);
    const description = await createSecretStorageKeyDescription(key, { passphrase: { salt: 'salty', iterations: 100_000 } });
    const r = await deriveSecretStorageKey({ passphrase: 'correct horse' }, description);
    assert.ok(r.ok);
    assert.ok(await checkSecretStorageKey(r.value, description));
    const wrong = await deriveSecretStorageKey({ passphrase: 'wrong horse' }, description);
    assert.ok(wrong.ok && !(await checkSecretStorageKey(wrong.value, description)));
  });

  it('refuses a passphrase for a key without passphrase info, or without a description', async () => {
    const r = await deriveSecretStorageKey({ passphrase: 'x' }, { algorithm: 'm.secret_storage.v1.aes-hmac-sha2' });
    assert.ok(!r.ok && r.error.code === 'no-passphrase-info' && /use the recovery key/.test(r.error.message));
    const r2 = await deriveSecretStorageKey({ passphrase: 'x' }, null);
    assert.ok(!r2.ok && r2.error.code === 'no-passphrase-info' && /not described/.test(r2.error.message));
  });

  it('caps the cost a hostile server can ask for', async () => {
    const started = performance.now();
    for (const description of [withPassphrase(MAX_PBKDF2_ITERATIONS + 1), withPassphrase(2 ** 40), withPassphrase(1000, { bits: 1 << 20 })]) {
      const r = await deriveSecretStorageKey({ passphrase: 'x' }, description);
      assert.ok(!r.ok && r.error.code === 'passphrase-too-costly');
    }
    assert.ok(performance.now() - started < 500);
    const r = await deriveSecretStorageKey({ passphrase: 'x' }, withPassphrase(1000, { algorithm: 'm.scrypt' }));
    assert.ok(!r.ok && r.error.code === 'unsupported-passphrase');
  });

  it('wants exactly one input', async () => {
    const none = await deriveSecretStorageKey({}, null);
    assert.ok(!none.ok && none.error.code === 'no-input');
    const both = await deriveSecretStorageKey({ recoveryKey: encodeRecoveryKey(KEY), passphrase: 'x' }, null);
    assert.ok(!both.ok && both.error.code === 'both-given');
  });
});
