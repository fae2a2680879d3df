/**
 * Element's stored access token → the token, following docs/web-clients.md#element-token step by step.
 * Pure: it takes `crypto.subtle` and the raw IndexedDB records, so the same code runs in Node
 * unit tests and, bundled into readers/page-reader.js, in the web app's page — where it must run,
 * because the pickle key's AES-GCM CryptoKey is non-extractable and usable only there.
 */
import { decodeBase64, encodeBase64 } from '../../core/base64.ts';
import type { ElementTokenDump, ElementTokenErrorCode } from '../parse/types.ts';

export type ElementTokenRecords = {
  /** IDB `account` / `mx_access_token`, or the legacy localStorage value. */
  stored: unknown;
  /** IDB `pickleKey` / `[userId, deviceId]`. */
  pickleKey: unknown;
  userId: string;
  deviceId: string;
};

const fail = (code: ElementTokenErrorCode, message: string): ElementTokenDump => ({ kind: 'error', code, message });

/** Bytes of a string, one per UTF-16 unit truncated to 8 bits, as Element's `charCodeAt` loops do. */
function charBytes(text: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/**
 * Copy bytes element by element into an array of this realm. In a Firefox content script the
 * buffers WebCrypto and IndexedDB hand back belong to the page; a view on them is a wrapper whose
 * `slice()` fails ("Permission denied to access property constructor"), but indexing works.
 */
function copyBytes(view: ArrayLike<number>): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(view.length);
  for (let i = 0; i < out.length; i++) out[i] = view[i]!;
  return out;
}

/** The bytes of a WebCrypto result, owned by this realm. */
const bufferBytes = (buffer: ArrayBuffer): Uint8Array<ArrayBuffer> => copyBytes(new Uint8Array(buffer));

/** A fresh Uint8Array copy of an ArrayBuffer or typed array, from any realm; otherwise undefined. */
export function toBytes(value: unknown): Uint8Array<ArrayBuffer> | undefined {
  if (ArrayBuffer.isView(value)) return copyBytes(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  // Structured clones from IndexedDB may come from another realm: no instanceof.
  if (Object.prototype.toString.call(value) === '[object ArrayBuffer]') return bufferBytes(value as ArrayBuffer);
  return undefined;
}

/** `getPickleAdditionalData`: userId bytes, `|`, deviceId bytes. */
export function pickleAdditionalData(userId: string, deviceId: string): Uint8Array<ArrayBuffer> {
  return charBytes(`${userId}|${deviceId}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

type Encrypted = { iv: Uint8Array<ArrayBuffer>; ciphertext: Uint8Array<ArrayBuffer>; mac: Uint8Array<ArrayBuffer> };

function parseEncrypted(stored: Record<string, unknown>): Encrypted | string {
  const { iv, ciphertext, mac } = stored;
  if (typeof iv !== 'string' || typeof ciphertext !== 'string' || typeof mac !== 'string') {
    return 'the stored token is neither a string nor {iv, ciphertext, mac} strings';
  }
  try {
    // Copies into plain ArrayBuffers, as WebCrypto's BufferSource wants.
    const out = { iv: new Uint8Array(decodeBase64(iv)), ciphertext: new Uint8Array(decodeBase64(ciphertext)), mac: new Uint8Array(decodeBase64(mac)) };
    if (out.iv.length !== 16) return `the token IV has ${out.iv.length} bytes, not 16`;
    if (out.mac.length !== 32) return `the token MAC has ${out.mac.length} bytes, not 32`;
    return out;
  } catch {
    // decodeBase64 throws Base64Error on junk; the reason is the same for the user.
    return 'the stored token has invalid base64';
  }
}

/** Steps 3–5: the 43-character pickle key string, or an error. */
async function unwrapPickleKey(subtle: SubtleCrypto, record: unknown, userId: string, deviceId: string): Promise<string | ElementTokenDump> {
  if (!isObject(record)) return fail('no-pickle-key', `no pickle key is stored for ${userId} / ${deviceId || '(no device ID)'}`);
  const encrypted = toBytes(record.encrypted);
  const iv = toBytes(record.iv);
  const cryptoKey = record.cryptoKey;
  if (!encrypted || !iv || !isObject(cryptoKey)) return fail('no-pickle-key', 'the stored pickle key is incomplete (needs encrypted, iv and cryptoKey)');
  let raw: ArrayBuffer;
  try {
    raw = await subtle.decrypt({ name: 'AES-GCM', iv, additionalData: pickleAdditionalData(userId, deviceId) }, cryptoKey as unknown as CryptoKey, encrypted);
  } catch {
    // AES-GCM authentication failed: the key was made for another user/device, or is corrupt.
    return fail('bad-pickle-key', `the pickle key does not decrypt for ${userId} / ${deviceId || '(no device ID)'}`);
  }
  const bytes = bufferBytes(raw);
  if (bytes.length !== 32) return fail('bad-pickle-key', `the pickle key has ${bytes.length} bytes, not 32`);
  const text = encodeBase64(bytes);
  bytes.fill(0);
  return text;
}

/** Steps 6–7: the AES-CTR and HMAC keys for `name` from the pickle key string. */
export async function deriveTokenKeys(subtle: SubtleCrypto, pickleKey: string, name: string): Promise<{ aes: CryptoKey; mac: CryptoKey }> {
  // The IKM is the base64 TEXT of the pickle key, not its decoded bytes (Element's pickleKeyToAesKey).
  const ikm = await subtle.importKey('raw', charBytes(pickleKey), 'HKDF', false, ['deriveBits']);
  const k1 = bufferBytes(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: new Uint8Array(0) }, ikm, 256));
  const k1Key = await subtle.importKey('raw', k1, 'HKDF', false, ['deriveBits']);
  k1.fill(0);
  const k2 = bufferBytes(
    await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(8), info: new TextEncoder().encode(name) }, k1Key, 512),
  );
  const aes = await subtle.importKey('raw', k2.slice(0, 32), { name: 'AES-CTR' }, false, ['encrypt', 'decrypt']);
  const mac = await subtle.importKey('raw', k2.slice(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  k2.fill(0);
  return { aes, mac };
}

/**
 * Turn Element's stored access token into the token. Never throws: every failure is an
 * `{kind:'error'}` with a code the background maps to a user-facing message.
 */
export async function decryptElementToken(subtle: SubtleCrypto | undefined, records: ElementTokenRecords): Promise<ElementTokenDump> {
  const { stored } = records;
  if (stored === undefined || stored === null || stored === '') return { kind: 'none' };
  if (typeof stored === 'string') return { kind: 'plain', token: stored };
  if (!isObject(stored)) return fail('malformed', `the stored token is a ${typeof stored}`);
  const enc = parseEncrypted(stored);
  if (typeof enc === 'string') return fail('malformed', enc);
  if (!subtle) return fail('no-webcrypto', 'the token is encrypted and this page has no WebCrypto (insecure origin)');
  try {
    const pickleKey = await unwrapPickleKey(subtle, records.pickleKey, records.userId, records.deviceId);
    if (typeof pickleKey !== 'string') return pickleKey;
    const keys = await deriveTokenKeys(subtle, pickleKey, 'access_token');
    if (!(await subtle.verify('HMAC', keys.mac, enc.mac, enc.ciphertext))) {
      return fail('bad-mac', 'the token MAC does not match: wrong pickle key or corrupt data');
    }
    const plain = await subtle.decrypt({ name: 'AES-CTR', counter: enc.iv, length: 64 }, keys.aes, enc.ciphertext);
    let token: string;
    try {
      token = new TextDecoder('utf-8', { fatal: true }).decode(bufferBytes(plain));
    } catch {
      // fatal UTF-8 decoding: an authenticated but non-text plaintext; report, don't guess.
      return fail('malformed', 'the decrypted token is not UTF-8');
    }
    return token === '' ? fail('malformed', 'the decrypted token is empty') : { kind: 'decrypted', token };
  } catch (e) {
    // A WebCrypto failure other than the ones mapped above (e.g. an unsupported algorithm).
    // Duck-typed: in a Firefox content script the page realm's DOMException is no `Error` here.
    const err = e as { name?: unknown; message?: unknown } | null;
    return fail('malformed', `decryption failed: ${String(err?.name ?? 'error')}${typeof err?.message === 'string' ? ` (${err.message.slice(0, 120)})` : ''}`);
  }
}
