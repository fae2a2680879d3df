/**
 * Secret storage (SSSS / 4S), algorithm `m.secret_storage.v1.aes-hmac-sha2`: client-server API
 * §Secrets (docs/matrix-api.md#secret-encryption, docs/matrix-api.md#secret-storage-key-check, docs/matrix-api.md#passphrase-pbkdf2), on WebCrypto only.
 *
 * Invariants:
 * - The MAC is checked (in constant time, by subtle.verify) before anything is decrypted.
 * - Base64 from the server may be padded or unpadded ("clients must accept either encoding");
 *   what we write is unpadded.
 * - Key material is zeroed after import where we hold it (best effort only: JS gives no
 *   guarantee that the engine has not copied it).
 */
import { decodeBase64, encodeBase64, Base64Error } from './base64.ts';
import { isJsonObject } from './result.ts';
import { say } from './words/say.ts';

/** The only secret-storage algorithm the spec defines. */
export const SECRET_STORAGE_ALGORITHM = 'm.secret_storage.v1.aes-hmac-sha2';

/** One secret encrypted under one key, as stored in account data under `encrypted[<key ID>]`. */
export interface EncryptedSecret {
  iv: string;
  ciphertext: string;
  mac: string;
}

/** `m.pbkdf2` passphrase parameters of a key description (docs/matrix-api.md#passphrase-pbkdf2). */
export interface PassphraseInfo {
  algorithm: 'm.pbkdf2';
  salt: string;
  iterations: number;
  bits?: number;
}

/** Content of `m.secret_storage.key.<key ID>` account data (docs/matrix-api.md#secret-storage-account-data). */
export interface SecretStorageKeyDescription {
  algorithm: typeof SECRET_STORAGE_ALGORITHM;
  name?: string;
  passphrase?: PassphraseInfo;
  iv: string;
  mac: string;
}

/** Why decryption failed: the MAC did not match (wrong key or tampering), or the data is malformed. */
export type SecretStorageErrorCode = 'bad-mac' | 'bad-encoding';

/** Thrown by {@link decryptSecret}. */
export class SecretStorageError extends Error {
  override name = 'SecretStorageError';
  readonly code: SecretStorageErrorCode;

  constructor(code: SecretStorageErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const IV_LENGTH = 16;
const MAC_LENGTH = 32;
// docs/matrix-api.md#secret-encryption step 1: "a salt of 32 bytes of 0". js-sdk and dart use 8; HMAC zero-pads its key to the
// block size, so both give identical output.
const HKDF_SALT = new Uint8Array(32);
// docs/matrix-api.md#secret-storage-key-check: the key check encrypts 32 zero bytes under the empty name.
const KEY_CHECK_PLAINTEXT_LENGTH = 32;
const DEFAULT_PASSPHRASE_BITS = 256;

/**
 * Fewer PBKDF2 iterations than this and a passphrase-derived key is used for reading only, never
 * to store a secret: every ciphertext stored under it lets whoever holds the account data (the
 * homeserver) test passphrase guesses offline at that cost per guess. Element and js-sdk use
 * 500 000; 100 000 leaves room for older clients.
 */
export const MIN_PBKDF2_ITERATIONS_TO_STORE = 100_000;

function defaultSubtle(): SubtleCrypto {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new TypeError('subtle must be given: globalThis.crypto.subtle is not available here');
  return subtle;
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array)) throw new TypeError('key must be a Uint8Array');
  if (key.length === 0) throw new RangeError('key must not be empty');
}

function checkIv(iv: Uint8Array): void {
  if (!(iv instanceof Uint8Array)) throw new TypeError('iv must be a Uint8Array');
  if (iv.length !== IV_LENGTH) throw new RangeError(`iv must be ${IV_LENGTH} bytes, got ${iv.length}`);
}

/** WebCrypto wants ArrayBuffer-backed views; copying also decouples us from caller mutation. */
function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/** docs/matrix-api.md#secret-encryption step 2: 16 random bytes with bit 63 cleared, as every SDK does (`iv[8] &= 0x7f`). */
function randomIv(): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(IV_LENGTH);
  globalThis.crypto.getRandomValues(iv);
  // Bit 63 is the top bit of the 64-bit counter half that AES-CTR (length 64) increments, so
  // clearing it means the counter cannot wrap, whatever the implementation does on overflow.
  iv[8]! &= 0x7f;
  return iv;
}

interface DerivedKeys {
  aesKey: CryptoKey;
  hmacKey: CryptoKey;
}

/** docs/matrix-api.md#secret-encryption step 1: HKDF-SHA-256(key, salt = 32 zero bytes, info = name, L = 64) → AES key ‖ MAC key. */
async function deriveKeys(subtle: SubtleCrypto, key: Uint8Array, name: string): Promise<DerivedKeys> {
  const ikm = copy(key);
  let hkdfKey: CryptoKey;
  try {
    hkdfKey = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  } finally {
    ikm.fill(0);
  }
  const okm = new Uint8Array(
    await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: HKDF_SALT, info: new TextEncoder().encode(name) }, hkdfKey, 512),
  );
  const aesBytes = okm.slice(0, 32);
  const hmacBytes = okm.slice(32, 64);
  okm.fill(0);
  try {
    const aesKey = await subtle.importKey('raw', aesBytes, { name: 'AES-CTR' }, false, ['encrypt', 'decrypt']);
    const hmacKey = await subtle.importKey('raw', hmacBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    return { aesKey, hmacKey };
  } finally {
    aesBytes.fill(0);
    hmacBytes.fill(0);
  }
}

/** docs/matrix-api.md#secret-encryption steps 3–5 on raw bytes (the key check encrypts bytes, not a string). */
async function encryptBytes(
  subtle: SubtleCrypto,
  key: Uint8Array,
  name: string,
  plaintext: Uint8Array<ArrayBuffer>,
  iv: Uint8Array<ArrayBuffer>,
): Promise<EncryptedSecret> {
  const { aesKey, hmacKey } = await deriveKeys(subtle, key, name);
  const ciphertext = new Uint8Array(await subtle.encrypt({ name: 'AES-CTR', counter: iv, length: 64 }, aesKey, plaintext));
  const mac = new Uint8Array(await subtle.sign('HMAC', hmacKey, ciphertext));
  return { iv: encodeBase64(iv), ciphertext: encodeBase64(ciphertext), mac: encodeBase64(mac) };
}

/**
 * Encrypt a secret for account data (docs/matrix-api.md#secret-encryption).
 *
 * @param key - The secret-storage key (32 bytes from a recovery key or passphrase).
 * @param name - The secret's name, which is bound into the keys, e.g. `m.cross_signing.master`.
 * @param plaintext - The secret; UTF-8 encoded before encryption. Cross-signing secrets are the
 *   base64 of the seed (docs/matrix-api.md#private-key-encoding).
 * @param iv - Fixed 16-byte IV for tests; omit it to get a random one with bit 63 cleared.
 * @param subtle - WebCrypto to use; defaults to `globalThis.crypto.subtle`.
 * @returns `{ iv, ciphertext, mac }` in unpadded base64.
 * @throws {TypeError} On wrongly typed arguments, or when no WebCrypto is available.
 * @throws {RangeError} On an empty key or an IV that is not 16 bytes.
 */
export async function encryptSecret(
  key: Uint8Array,
  name: string,
  plaintext: string,
  iv?: Uint8Array,
  subtle: SubtleCrypto = defaultSubtle(),
): Promise<EncryptedSecret> {
  checkKey(key);
  if (typeof name !== 'string') throw new TypeError('name must be a string');
  if (typeof plaintext !== 'string') throw new TypeError('plaintext must be a string');
  if (iv !== undefined) checkIv(iv);
  const bytes = new TextEncoder().encode(plaintext);
  try {
    return await encryptBytes(subtle, key, name, bytes, iv === undefined ? randomIv() : copy(iv));
  } finally {
    bytes.fill(0);
  }
}

function decodeField(encrypted: Record<string, unknown>, field: keyof EncryptedSecret, length?: number): Uint8Array<ArrayBuffer> {
  const value = encrypted[field];
  if (typeof value !== 'string') throw new SecretStorageError('bad-encoding', say('core_base_ss_no_field', field));
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(value);
  } catch (error) {
    if (error instanceof Base64Error) throw new SecretStorageError('bad-encoding', say('core_base_ss_field_not_base64', field));
    throw error;
  }
  if (length !== undefined && bytes.length !== length) {
    throw new SecretStorageError('bad-encoding', say('core_base_ss_field_length', field, length, bytes.length));
  }
  return copy(bytes);
}

/**
 * Decrypt a secret from account data (docs/matrix-api.md#secret-decryption).
 *
 * The MAC over the ciphertext is verified first; the stored IV is used unchanged. Padded and
 * unpadded base64 are both accepted.
 *
 * @param key - The secret-storage key.
 * @param name - The secret's name; a secret moved to another name fails the MAC.
 * @param encrypted - `{ iv, ciphertext, mac }` for this key, straight from the server.
 * @param subtle - WebCrypto to use; defaults to `globalThis.crypto.subtle`.
 * @returns The plaintext secret.
 * @throws {SecretStorageError} `bad-encoding` if a field is missing, not base64, of the wrong
 *   length, or the plaintext is not UTF-8; `bad-mac` if the key is wrong or the data was altered.
 * @throws {TypeError} On wrongly typed `key` or `name`, or when no WebCrypto is available.
 * @throws {RangeError} On an empty key.
 */
export async function decryptSecret(
  key: Uint8Array,
  name: string,
  encrypted: EncryptedSecret,
  subtle: SubtleCrypto = defaultSubtle(),
): Promise<string> {
  checkKey(key);
  if (typeof name !== 'string') throw new TypeError('name must be a string');
  // `encrypted` comes from the server, so shape problems are data errors, not programmer errors.
  if (!isJsonObject(encrypted)) throw new SecretStorageError('bad-encoding', say('core_base_ss_not_object'));
  const iv = decodeField(encrypted, 'iv', IV_LENGTH);
  const ciphertext = decodeField(encrypted, 'ciphertext');
  const mac = decodeField(encrypted, 'mac', MAC_LENGTH);

  const { aesKey, hmacKey } = await deriveKeys(subtle, key, name);
  if (!(await subtle.verify('HMAC', hmacKey, mac, ciphertext))) {
    throw new SecretStorageError('bad-mac', say('core_base_ss_bad_mac'));
  }
  const plaintext = new Uint8Array(await subtle.decrypt({ name: 'AES-CTR', counter: iv, length: 64 }, aesKey, ciphertext));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(plaintext);
  } catch {
    // Authentic but not UTF-8: not a secret any spec-following client would have written.
    throw new SecretStorageError('bad-encoding', say('core_base_ss_not_utf8'));
  } finally {
    plaintext.fill(0);
  }
}

/**
 * Compute the key check stored in a key description (docs/matrix-api.md#secret-storage-key-check): 32 zero bytes encrypted
 * under the empty name with the given IV.
 *
 * @param key - The secret-storage key.
 * @param iv - The 16-byte IV (the stored one when checking, a fresh one when creating).
 * @param subtle - WebCrypto to use; defaults to `globalThis.crypto.subtle`.
 * @returns `{ iv, mac }` in unpadded base64.
 * @throws {TypeError} On wrongly typed arguments, or when no WebCrypto is available.
 * @throws {RangeError} On an empty key or an IV that is not 16 bytes.
 */
export async function calculateKeyCheck(
  key: Uint8Array,
  iv: Uint8Array,
  subtle: SubtleCrypto = defaultSubtle(),
): Promise<{ iv: string; mac: string }> {
  checkKey(key);
  checkIv(iv);
  const result = await encryptBytes(subtle, key, '', new Uint8Array(KEY_CHECK_PLAINTEXT_LENGTH), copy(iv));
  return { iv: result.iv, mac: result.mac };
}

const trimPadding = (text: string): string => text.replace(/=+$/, '');

/**
 * What a key description's key check (§Secret storage, "Key storage": `iv` and `mac`) says about
 * a candidate key: `match`, `mismatch` (present but wrong or malformed), or `absent` (the
 * description has no check, so it says nothing: a hostile server can serve such a description to
 * make any key "valid").
 *
 * @param key - The candidate key (from a recovery key or passphrase).
 * @param description - The `m.secret_storage.key.*` content; untrusted.
 * @param subtle - WebCrypto to use; defaults to `globalThis.crypto.subtle`.
 * @throws {TypeError} On a wrongly typed key, or when no WebCrypto is available.
 * @throws {RangeError} On an empty key.
 */
export async function verifyKeyCheck(
  key: Uint8Array,
  description: { iv?: string; mac?: string },
  subtle: SubtleCrypto = defaultSubtle(),
): Promise<'match' | 'mismatch' | 'absent'> {
  checkKey(key);
  if (!isJsonObject(description)) return 'mismatch';
  const { iv, mac } = description as Record<string, unknown>;
  // null is how some JSON producers spell "absent".
  if (iv === undefined || iv === null || mac === undefined || mac === null) return 'absent';
  if (typeof iv !== 'string' || typeof mac !== 'string') return 'mismatch';
  let ivBytes: Uint8Array;
  try {
    ivBytes = decodeBase64(iv);
  } catch {
    // Undecodable stored IV: the check cannot succeed.
    return 'mismatch';
  }
  if (ivBytes.length !== IV_LENGTH) return 'mismatch';
  const check = await calculateKeyCheck(key, ivBytes, subtle);
  // js-sdk writes padded base64, we write unpadded: compare without trailing '='. Timing does not
  // matter here: the stored MAC is public account data.
  return trimPadding(check.mac) === trimPadding(mac) ? 'match' : 'mismatch';
}

/**
 * Check a candidate key against a key description (docs/matrix-api.md#secret-storage-key-check), the spec's way.
 *
 * Not enough to STORE anything under the key: without `iv`/`mac` this says true for any key.
 * Before storing, prove the key with {@link verifyKeyCheck} or by decrypting a secret already
 * stored under it (src/core/repair/secrets.ts, prepareSecretStorageKey).
 *
 * @param key - The candidate key (from a recovery key or passphrase).
 * @param description - The `m.secret_storage.key.*` content; untrusted.
 * @param subtle - WebCrypto to use; defaults to `globalThis.crypto.subtle`.
 * @returns true if the MAC matches, or if `iv` or `mac` is absent (spec: "If they are not present,
 *   clients must assume that the key is valid" — a wrong key then still fails each secret's own
 *   MAC). false if they are present but malformed or do not match.
 * @throws {TypeError} On a wrongly typed key, or when no WebCrypto is available.
 * @throws {RangeError} On an empty key.
 */
export async function checkSecretStorageKey(
  key: Uint8Array,
  description: { iv?: string; mac?: string },
  subtle: SubtleCrypto = defaultSubtle(),
): Promise<boolean> {
  return (await verifyKeyCheck(key, description, subtle)) !== 'mismatch';
}

/**
 * Derive a secret-storage key from a passphrase (`m.pbkdf2`, docs/matrix-api.md#passphrase-pbkdf2):
 * PBKDF2-HMAC-SHA-512 over the UTF-8 passphrase, with the UTF-8 bytes of the salt *string* (it is
 * not base64-decoded).
 *
 * @param passphrase - The user's passphrase.
 * @param salt - `passphrase.salt` from the key description, used as text.
 * @param iterations - `passphrase.iterations`.
 * @param bits - `passphrase.bits`; defaults to 256.
 * @param subtle - WebCrypto to use; defaults to `globalThis.crypto.subtle`.
 * @returns The derived key, `bits / 8` bytes long.
 * @throws {TypeError} On wrongly typed arguments, or when no WebCrypto is available.
 * @throws {RangeError} If `iterations` is not a positive safe integer or `bits` not a positive
 *   multiple of 8.
 */
export async function deriveKeyFromPassphrase(
  passphrase: string,
  salt: string,
  iterations: number,
  bits: number = DEFAULT_PASSPHRASE_BITS,
  subtle: SubtleCrypto = defaultSubtle(),
): Promise<Uint8Array> {
  if (typeof passphrase !== 'string') throw new TypeError('passphrase must be a string');
  if (typeof salt !== 'string') throw new TypeError('salt must be a string');
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new RangeError('iterations must be a positive integer');
  if (!Number.isSafeInteger(bits) || bits < 8 || bits % 8 !== 0) throw new RangeError('bits must be a positive multiple of 8');
  const password = new TextEncoder().encode(passphrase);
  try {
    const baseKey = await subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits']);
    return new Uint8Array(
      await subtle.deriveBits({ name: 'PBKDF2', salt: new TextEncoder().encode(salt), iterations, hash: 'SHA-512' }, baseKey, bits),
    );
  } finally {
    password.fill(0);
  }
}

/** Options for {@link createSecretStorageKeyDescription}. */
export interface KeyDescriptionOptions {
  /** Human-readable key name, e.g. `m.default`. */
  name?: string;
  /** The parameters the key was derived with, if it came from a passphrase. */
  passphrase?: { salt: string; iterations: number; bits?: number };
  /** Fixed IV for the key check (tests); random with bit 63 cleared by default. */
  iv?: Uint8Array;
}

function checkPassphraseOptions(passphrase: NonNullable<KeyDescriptionOptions['passphrase']>): void {
  if (typeof passphrase !== 'object' || passphrase === null) throw new TypeError('opts.passphrase must be an object');
  if (typeof passphrase.salt !== 'string') throw new TypeError('opts.passphrase.salt must be a string');
  if (!Number.isSafeInteger(passphrase.iterations) || passphrase.iterations < 1) {
    throw new RangeError('opts.passphrase.iterations must be a positive integer');
  }
  // A description we write is used to store secrets, so it must not make the passphrase cheap to guess.
  if (passphrase.iterations < MIN_PBKDF2_ITERATIONS_TO_STORE) {
    throw new RangeError(`opts.passphrase.iterations is ${passphrase.iterations}: at least ${MIN_PBKDF2_ITERATIONS_TO_STORE} PBKDF2 iterations are needed for a key that stores secrets`);
  }
  const { bits } = passphrase;
  if (bits !== undefined && (!Number.isSafeInteger(bits) || bits < 8 || bits % 8 !== 0)) {
    throw new RangeError('opts.passphrase.bits must be a positive multiple of 8');
  }
}

/**
 * Build the `m.secret_storage.key.<key ID>` content for a key, always with its key check (`iv`
 * and `mac`) so that every client, this one included, can tell a right key from a wrong one
 * before storing anything under it (docs/matrix-api.md#secret-storage-account-data, docs/matrix-api.md#secret-storage-key-check).
 *
 * @param key - The secret-storage key.
 * @param opts - Name, passphrase parameters and an optional fixed IV.
 * @param subtle - WebCrypto to use; defaults to `globalThis.crypto.subtle`.
 * @returns The key description.
 * @throws {TypeError} On wrongly typed arguments, or when no WebCrypto is available.
 * @throws {RangeError} On an empty key, an IV that is not 16 bytes, or invalid passphrase numbers
 *   (fewer than {@link MIN_PBKDF2_ITERATIONS_TO_STORE} iterations included).
 */
export async function createSecretStorageKeyDescription(
  key: Uint8Array,
  opts: KeyDescriptionOptions = {},
  subtle: SubtleCrypto = defaultSubtle(),
): Promise<SecretStorageKeyDescription> {
  checkKey(key);
  if (typeof opts !== 'object' || opts === null) throw new TypeError('opts must be an object');
  const { name, passphrase, iv } = opts;
  if (name !== undefined && typeof name !== 'string') throw new TypeError('opts.name must be a string');
  if (passphrase !== undefined) checkPassphraseOptions(passphrase);
  if (iv !== undefined) checkIv(iv);

  const check = await calculateKeyCheck(key, iv ?? randomIv(), subtle);
  const description: SecretStorageKeyDescription = { algorithm: SECRET_STORAGE_ALGORITHM, iv: check.iv, mac: check.mac };
  if (name !== undefined) description.name = name;
  if (passphrase !== undefined) {
    description.passphrase = { algorithm: 'm.pbkdf2', salt: passphrase.salt, iterations: passphrase.iterations };
    if (passphrase.bits !== undefined) description.passphrase.bits = passphrase.bits;
  }
  return description;
}
