/**
 * Test-only: store a token exactly as Element does (docs/web-clients.md#element-pickle-key createPickleKey /
 * encryptPickleKey, docs/web-clients.md#element-token-encryption), written from the encryption steps — independently of the
 * decryption under test. Uses WebCrypto only, so it runs in Node.
 */
import { webcrypto } from 'node:crypto';

const subtle = webcrypto.subtle as unknown as SubtleCrypto;

const charBytes = (s: string) => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
const b64 = (bytes: Uint8Array, pad: boolean) => {
  const s = Buffer.from(bytes).toString('base64');
  return pad ? s : s.replace(/=+$/, '');
};

export type PickleKeyRecord = { encrypted: ArrayBuffer; iv: Uint8Array; cryptoKey: CryptoKey };
export type EncryptedToken = { iv: string; ciphertext: string; mac: string };

/** createPickleKey: random 32 bytes, wrapped with a non-extractable AES-GCM key; AAD userId|deviceId. */
export async function createPickleKey(userId: string, deviceId: string): Promise<{ record: PickleKeyRecord; pickleKey: string }> {
  const raw = webcrypto.getRandomValues(new Uint8Array(32));
  const cryptoKey = (await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])) as CryptoKey;
  const iv = webcrypto.getRandomValues(new Uint8Array(32));
  const additionalData = charBytes(`${userId}|${deviceId}`);
  const encrypted = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, cryptoKey, raw);
  return { record: { encrypted, iv, cryptoKey }, pickleKey: b64(raw, false) };
}

/** pickleKeyToAesKey + encryptAES(token, key, "access_token"). */
export async function encryptToken(token: string, pickleKey: string, name = 'access_token'): Promise<EncryptedToken> {
  const hkdf = await subtle.importKey('raw', charBytes(pickleKey), 'HKDF', false, ['deriveBits']);
  const aesKeyBytes = await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: new Uint8Array(0) }, hkdf, 256);
  const hkdf2 = await subtle.importKey('raw', aesKeyBytes, 'HKDF', false, ['deriveBits']);
  const bits = new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(8), info: new TextEncoder().encode(name) }, hkdf2, 512));
  const aes = await subtle.importKey('raw', bits.slice(0, 32), { name: 'AES-CTR' }, false, ['encrypt']);
  const hmac = await subtle.importKey('raw', bits.slice(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const iv = webcrypto.getRandomValues(new Uint8Array(16));
  iv[8]! &= 0x7f;
  const ciphertext = new Uint8Array(await subtle.encrypt({ name: 'AES-CTR', counter: iv, length: 64 }, aes, new TextEncoder().encode(token)));
  const mac = new Uint8Array(await subtle.sign('HMAC', hmac, ciphertext));
  return { iv: b64(iv, true), ciphertext: b64(ciphertext, true), mac: b64(mac, true) };
}

/** Both records, as Element leaves them in IDB for a fresh login. */
export async function elementRecords(token: string, userId: string, deviceId: string): Promise<{ pickleKey: PickleKeyRecord; stored: EncryptedToken }> {
  const { record, pickleKey } = await createPickleKey(userId, deviceId);
  return { pickleKey: record, stored: await encryptToken(token, pickleKey) };
}

export { subtle as nodeSubtle };
