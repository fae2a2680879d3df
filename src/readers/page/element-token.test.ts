import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decryptElementToken, pickleAdditionalData, toBytes } from './element-token.ts';
import { createPickleKey, elementRecords, encryptToken, nodeSubtle as subtle } from '../testing/element-encrypt.ts';

const USER = '@alice:example.org';
const DEVICE = 'ABCDEFGHIJ';
const TOKEN = 'syt_YWxpY2U_RQHFbJvDPBIJrHzXgdNe_3jrKZb';

test('a plain string is the token (no pickle key, pre-2021 sessions)', async () => {
  assert.deepEqual(await decryptElementToken(subtle, { stored: TOKEN, pickleKey: undefined, userId: USER, deviceId: DEVICE }), { kind: 'plain', token: TOKEN });
  // No WebCrypto is no problem for a plain token.
  assert.deepEqual(await decryptElementToken(undefined, { stored: TOKEN, pickleKey: undefined, userId: USER, deviceId: DEVICE }), { kind: 'plain', token: TOKEN });
});

test('nothing stored is "none"', async () => {
  for (const stored of [undefined, null, '']) {
    assert.deepEqual(await decryptElementToken(subtle, { stored, pickleKey: undefined, userId: USER, deviceId: DEVICE }), { kind: 'none' });
  }
});

test('an encrypted token decrypts with the pickle key of [userId, deviceId]', async () => {
  const { pickleKey, stored } = await elementRecords(TOKEN, USER, DEVICE);
  assert.equal(typeof stored.mac, 'string');
  assert.deepEqual(await decryptElementToken(subtle, { stored, pickleKey, userId: USER, deviceId: DEVICE }), { kind: 'decrypted', token: TOKEN });
});

test('an absent mx_device_id means deviceId "" in the additional data', async () => {
  const { pickleKey, stored } = await elementRecords(TOKEN, USER, '');
  assert.deepEqual(await decryptElementToken(subtle, { stored, pickleKey, userId: USER, deviceId: '' }), { kind: 'decrypted', token: TOKEN });
});

test('non-ASCII user IDs are truncated per UTF-16 unit, as Element does', async () => {
  const user = '@\u00e9l\u00e8ve\u4e2d:example.org';
  assert.equal(pickleAdditionalData(user, 'D')[1], 0xe9);
  assert.equal(pickleAdditionalData(user, 'D')[6], 0x4e2d & 0xff);
  const { pickleKey, stored } = await elementRecords(TOKEN, user, 'D');
  assert.deepEqual(await decryptElementToken(subtle, { stored, pickleKey, userId: user, deviceId: 'D' }), { kind: 'decrypted', token: TOKEN });
});

test('a pickle key made for another device does not decrypt', async () => {
  const { pickleKey, stored } = await elementRecords(TOKEN, USER, 'OTHERDEVICE');
  const r = await decryptElementToken(subtle, { stored, pickleKey, userId: USER, deviceId: DEVICE });
  assert.equal(r.kind, 'error');
  assert.equal(r.kind === 'error' && r.code, 'bad-pickle-key');
});

test('a pickle key made for another user does not decrypt', async () => {
  const { pickleKey, stored } = await elementRecords(TOKEN, '@mallory:example.org', DEVICE);
  const r = await decryptElementToken(subtle, { stored, pickleKey, userId: USER, deviceId: DEVICE });
  assert.equal(r.kind === 'error' && r.code, 'bad-pickle-key');
});

test('a token encrypted under a different pickle key fails the MAC check', async () => {
  const { record } = await createPickleKey(USER, DEVICE);
  const other = await createPickleKey(USER, DEVICE);
  const stored = await encryptToken(TOKEN, other.pickleKey);
  const r = await decryptElementToken(subtle, { stored, pickleKey: record, userId: USER, deviceId: DEVICE });
  assert.equal(r.kind === 'error' && r.code, 'bad-mac');
});

test('a wrong MAC or a tampered ciphertext is refused', async () => {
  const { pickleKey, stored } = await elementRecords(TOKEN, USER, DEVICE);
  const mac = Buffer.from(stored.mac, 'base64');
  mac[0]! ^= 1;
  const r1 = await decryptElementToken(subtle, { stored: { ...stored, mac: mac.toString('base64') }, pickleKey, userId: USER, deviceId: DEVICE });
  assert.equal(r1.kind === 'error' && r1.code, 'bad-mac');
  const ct = Buffer.from(stored.ciphertext, 'base64');
  ct[0]! ^= 1;
  const r2 = await decryptElementToken(subtle, { stored: { ...stored, ciphertext: ct.toString('base64') }, pickleKey, userId: USER, deviceId: DEVICE });
  assert.equal(r2.kind === 'error' && r2.code, 'bad-mac');
});

test('the token of another name (refresh_token) fails the MAC check: names are bound', async () => {
  const { record, pickleKey } = await createPickleKey(USER, DEVICE);
  const stored = await encryptToken(TOKEN, pickleKey, 'refresh_token');
  const r = await decryptElementToken(subtle, { stored, pickleKey: record, userId: USER, deviceId: DEVICE });
  assert.equal(r.kind === 'error' && r.code, 'bad-mac');
});

test('no or an incomplete pickle key record', async () => {
  const { pickleKey, stored } = await elementRecords(TOKEN, USER, DEVICE);
  for (const record of [undefined, null, 'x', {}, { ...pickleKey, cryptoKey: undefined }, { ...pickleKey, iv: 'not bytes' }, { ...pickleKey, encrypted: [1, 2] }]) {
    const r = await decryptElementToken(subtle, { stored, pickleKey: record, userId: USER, deviceId: DEVICE });
    assert.equal(r.kind === 'error' && r.code, 'no-pickle-key', JSON.stringify(record));
  }
});

test('malformed stored values', async () => {
  const { pickleKey, stored } = await elementRecords(TOKEN, USER, DEVICE);
  const cases: unknown[] = [
    42,
    true,
    { iv: stored.iv, ciphertext: stored.ciphertext },
    { ...stored, mac: 7 },
    { ...stored, iv: '!!!not base64!!!' },
    { ...stored, iv: Buffer.alloc(12).toString('base64') },
    { ...stored, mac: Buffer.alloc(16).toString('base64') },
  ];
  for (const value of cases) {
    const r = await decryptElementToken(subtle, { stored: value, pickleKey, userId: USER, deviceId: DEVICE });
    assert.equal(r.kind === 'error' && r.code, 'malformed', JSON.stringify(value));
  }
});

test('an encrypted token without WebCrypto (insecure origin) says so', async () => {
  const { pickleKey, stored } = await elementRecords(TOKEN, USER, DEVICE);
  const r = await decryptElementToken(undefined, { stored, pickleKey, userId: USER, deviceId: DEVICE });
  assert.equal(r.kind === 'error' && r.code, 'no-webcrypto');
});

test('a pickle key that unwraps to the wrong length is refused', async () => {
  const cryptoKey = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']) as CryptoKey;
  const iv = new Uint8Array(32);
  const encrypted = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: pickleAdditionalData(USER, DEVICE) }, cryptoKey, new Uint8Array(16));
  const { stored } = await elementRecords(TOKEN, USER, DEVICE);
  const r = await decryptElementToken(subtle, { stored, pickleKey: { encrypted, iv, cryptoKey }, userId: USER, deviceId: DEVICE });
  assert.equal(r.kind === 'error' && r.code, 'bad-pickle-key');
});

test('error messages never contain the token or the key material', async () => {
  const { pickleKey, stored } = await elementRecords(TOKEN, USER, 'OTHER');
  const r = await decryptElementToken(subtle, { stored, pickleKey, userId: USER, deviceId: DEVICE });
  const text = JSON.stringify(r);
  assert.ok(!text.includes(TOKEN) && !text.includes(stored.ciphertext) && !text.includes(stored.mac));
});

test('toBytes copies ArrayBuffers and views, and nothing else', () => {
  const buf = new Uint8Array([1, 2, 3]);
  const copy = toBytes(buf)!;
  assert.deepEqual([...copy], [1, 2, 3]);
  assert.notEqual(copy.buffer, buf.buffer);
  assert.deepEqual([...toBytes(buf.buffer)!], [1, 2, 3]);
  assert.deepEqual([...toBytes(new DataView(buf.buffer, 1, 2))!], [2, 3]);
  for (const v of [undefined, null, 'abc', [1, 2], { length: 2 }]) assert.equal(toBytes(v), undefined);
});
