/**
 * Ed25519 with two interchangeable backends: WebCrypto (fast, native) and @noble/ed25519 (pure JS
 * fallback for runtimes whose WebCrypto lacks Ed25519).
 *
 * Keys are 32-byte seeds, as Matrix stores them (the NaCl/libsodium "seed", not the 64-byte
 * expanded secret key; docs/matrix-api.md#private-key-encoding). Signatures are raw 64 bytes.
 *
 * Verification policy, identical in both backends: strict RFC 8032 / FIPS 186-5 decoding (canonical
 * S, canonical point encodings) and small-order public keys rejected, as libsodium does. Matrix
 * signs "with ed25519 (as implemented by NaCl)" (spec appendices §Signing Details), so an honest
 * signer never produces anything this rejects. The backends could still disagree on signatures
 * deliberately crafted with mixed-order points (noble checks the cofactored equation, OpenSSL and
 * BoringSSL the cofactorless one); no honest key or signature has such components.
 */
import { etc, hashes, getPublicKey as nobleGetPublicKey, sign as nobleSign, verify as nobleVerify } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { base64urlnopad } from '@scure/base';
import { encodeBase64 } from './base64.ts';
import { lruMap } from './lru-map.ts';
import { say } from './words/say.ts';

/** An Ed25519 implementation over 32-byte seeds. */
export interface Ed25519 {
  /** Which backend this is, for diagnostics and tests ('node': the CLI's, src/cli/node-ed25519.ts). */
  readonly name: 'webcrypto' | 'noble' | 'node';
  /** Derive the 32-byte public key of a 32-byte seed. Rejects with RangeError on a wrong seed length. */
  publicKey(seed: Uint8Array): Promise<Uint8Array>;
  /** Sign a message; returns the 64-byte signature. Rejects with RangeError on a wrong seed length. */
  sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array>;
  /**
   * Verify a signature. Never throws on malformed keys or signatures: it resolves to false.
   * Rejects with TypeError only if `message` is not a Uint8Array (a programmer error).
   */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

const SEED_LENGTH = 32;
const PUBLIC_KEY_LENGTH = 32;
const SIGNATURE_LENGTH = 64;

function checkSeed(seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array)) throw new TypeError('seed must be a Uint8Array');
  if (seed.length !== SEED_LENGTH) throw new RangeError(`seed must be ${SEED_LENGTH} bytes, got ${seed.length}`);
}

function checkMessage(message: Uint8Array): void {
  if (!(message instanceof Uint8Array)) throw new TypeError('message must be a Uint8Array');
}

/** Key and signature come from untrusted data, so bad shapes are a verification failure, not a throw. */
function wellFormed(publicKey: unknown, signature: unknown): publicKey is Uint8Array {
  return (
    publicKey instanceof Uint8Array &&
    publicKey.length === PUBLIC_KEY_LENGTH &&
    signature instanceof Uint8Array &&
    signature.length === SIGNATURE_LENGTH
  );
}

/**
 * Copy into a fresh ArrayBuffer-backed array. WebCrypto's BufferSource excludes views over a
 * SharedArrayBuffer, and the copy also stops a caller mutating the bytes while a call is pending.
 */
function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/**
 * The encodings of the eight small-order points (RFC 8032 §5.1.3 decoding; the points of order
 * 1, 2, 4 and 8), plus the two "x = 0 with the sign bit set" variants of y = 1 and y = −1 that
 * strict decoding rejects. Every other small-order encoding has y ≥ p and fails `canonicalY`.
 */
const SMALL_ORDER_KEYS = new Set([
  '0100000000000000000000000000000000000000000000000000000000000000', // identity (y = 1)
  '0100000000000000000000000000000000000000000000000000000000000080', // identity, x = 0 with sign bit
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2 (y = −1)
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // order 2, x = 0 with sign bit
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4 (y = 0)
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4, other x
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
]);

/** Is the encoded y (sign bit cleared) below p = 2^255 − 19? Little-endian: p is ed ff…ff 7f. */
function canonicalY(key: Uint8Array): boolean {
  if ((key[31]! & 0x7f) !== 0x7f) return true;
  for (let i = 30; i > 0; i--) if (key[i] !== 0xff) return true;
  return key[0]! < 0xed;
}

/**
 * The public-key checks of strict decoding that WebCrypto may skip: a canonical encoding, not of
 * small order. The noble backend gets them from `{ zip215: false }`; the WebCrypto backend runs
 * them once per key before import (OpenSSL, e.g. in Node 20, accepts small-order keys and would
 * then verify forged signatures such as R = identity, S = 0 for any message). By table rather
 * than by decompressing the point (≈75 µs a key): an encoding that is not on the curve at all
 * fails WebCrypto's own decoding at import or verify, so it needs no check here. Equivalence with
 * noble's decoding is tested in ed25519.test.ts.
 */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  return canonicalY(publicKey) && !SMALL_ORDER_KEYS.has(etc.bytesToHex(publicKey));
}

// @noble/ed25519 v3 only ships SHA-512 for its async API, through crypto.subtle.digest. Wiring the
// pure-JS @noble/hashes SHA-512 into the sync API makes this fallback independent of WebCrypto
// entirely. Done lazily (not at import) so importing this module has no side effects, and with
// `??=` so a SHA-512 some other module already wired stays in place.
function wireNobleSha512(): void {
  hashes.sha512 ??= sha512;
}

/**
 * Pure-JS backend on @noble/ed25519 3.x. Works without WebCrypto.
 *
 * @throws {RangeError} From publicKey/sign on a seed that is not 32 bytes.
 * @throws {TypeError} From any method on a seed or message that is not a Uint8Array.
 */
export const nobleEd25519: Ed25519 = Object.freeze({
  name: 'noble' as const,
  async publicKey(seed: Uint8Array): Promise<Uint8Array> {
    checkSeed(seed);
    wireNobleSha512();
    return Uint8Array.from(nobleGetPublicKey(seed));
  },
  async sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
    checkSeed(seed);
    checkMessage(message);
    wireNobleSha512();
    return Uint8Array.from(nobleSign(message, seed));
  },
  async verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    checkMessage(message);
    if (!wellFormed(publicKey, signature)) return false;
    wireNobleSha512();
    try {
      // zip215: false = strict RFC 8032 / FIPS 186-5 plus small-order key rejection (libsodium's
      // behaviour), which is what WebCrypto backends implement too. noble's default, ZIP-215, is
      // for consensus systems and would accept signatures that WebCrypto rejects, so the two
      // backends would disagree on hostile input.
      return nobleVerify(signature, message, publicKey, { zip215: false });
    } catch {
      // noble throws on argument shapes it dislikes; for us that is just "not valid".
      return false;
    }
  },
});

// RFC 8410 §7 / RFC 5958: PKCS#8 PrivateKeyInfo for Ed25519 is this fixed 16-byte header followed
// by the 32-byte seed (version 0, AlgorithmIdentifier 1.3.101.112, OCTET STRING of OCTET STRING).
const PKCS8_ED25519_HEADER = etc.hexToBytes('302e020100300506032b657004220420');
const ALGORITHM = { name: 'Ed25519' } as const;
// Verifying every device of a user against the same self-signing key is the hot path, and
// importKey costs about as much as verify. A few hundred keys covers any realistic account.
export const PUBLIC_KEY_CACHE_SIZE = 256;

function defaultSubtle(): SubtleCrypto {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new TypeError('subtle must be given: globalThis.crypto.subtle is not available here');
  return subtle;
}

function seedToPkcs8(seed: Uint8Array): Uint8Array<ArrayBuffer> {
  const der = new Uint8Array(PKCS8_ED25519_HEADER.length + SEED_LENGTH);
  der.set(PKCS8_ED25519_HEADER, 0);
  der.set(seed, PKCS8_ED25519_HEADER.length);
  return der;
}

/**
 * WebCrypto backend (`{ name: 'Ed25519' }`): Node ≥ 18.4, Chrome ≥ 137, Firefox ≥ 129, Safari ≥ 17.
 *
 * @param subtle - The SubtleCrypto to use; defaults to `globalThis.crypto.subtle`.
 * @returns An {@link Ed25519} whose calls reject if this SubtleCrypto lacks Ed25519 (use
 *   {@link detectEd25519} to pick a working backend).
 * @throws {TypeError} If `subtle` is omitted and `globalThis.crypto.subtle` does not exist.
 */
export function webCryptoEd25519(subtle: SubtleCrypto = defaultSubtle()): Ed25519 {
  // Keyed by base64 of the raw key.
  const publicKeys = lruMap<string, Promise<CryptoKey | null>>(PUBLIC_KEY_CACHE_SIZE);

  function importPublicKey(publicKey: Uint8Array): Promise<CryptoKey | null> {
    const id = encodeBase64(publicKey);
    const cached = publicKeys.get(id);
    if (cached) return cached;
    const imported = isAcceptablePublicKey(publicKey)
      ? subtle.importKey('raw', copy(publicKey), ALGORITHM, false, ['verify']).catch(() => {
          // Not cached: a transient failure must not poison the key, and callers get false.
          publicKeys.delete(id);
          return null;
        })
      : Promise.resolve(null);
    publicKeys.set(id, imported);
    return imported;
  }

  async function importSeed(seed: Uint8Array, extractable: boolean): Promise<CryptoKey> {
    const der = seedToPkcs8(seed);
    try {
      return await subtle.importKey('pkcs8', der, ALGORITHM, extractable, ['sign']);
    } finally {
      der.fill(0); // best effort only: JS gives no guarantee the bytes are not copied elsewhere
    }
  }

  return Object.freeze({
    name: 'webcrypto' as const,
    async publicKey(seed: Uint8Array): Promise<Uint8Array> {
      checkSeed(seed);
      // WebCrypto has no "public key of this private key" call, but the JWK export of an OKP
      // private key carries the public key in `x` (RFC 8037 §2). The export also holds the seed as
      // `d` in a string we cannot wipe; acceptable because the seed is already in JS memory.
      const jwk = await subtle.exportKey('jwk', await importSeed(seed, true));
      if (typeof jwk.x !== 'string') throw new Error(say('core_base_ed_jwk_no_x'));
      const publicKey = base64urlnopad.decode(jwk.x);
      if (publicKey.length !== PUBLIC_KEY_LENGTH) throw new Error(say('core_base_ed_jwk_bad_x'));
      return publicKey;
    },
    async sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
      checkSeed(seed);
      checkMessage(message);
      const key = await importSeed(seed, false);
      return new Uint8Array(await subtle.sign(ALGORITHM, key, copy(message)));
    },
    async verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
      checkMessage(message);
      if (!wellFormed(publicKey, signature)) return false;
      const key = await importPublicKey(publicKey);
      if (!key) return false;
      try {
        return await subtle.verify(ALGORITHM, key, copy(signature), copy(message));
      } catch {
        // Some engines throw instead of returning false on malformed signatures.
        return false;
      }
    },
  });
}

// RFC 8032 §7.1 TEST 2, used to prove a WebCrypto implementation works before trusting it.
const PROBE = {
  seed: etc.hexToBytes('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb'),
  publicKey: etc.hexToBytes('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c'),
  message: etc.hexToBytes('72'),
  signature: etc.hexToBytes(
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  ),
};

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

async function probe(subtle: SubtleCrypto): Promise<Ed25519> {
  const candidate = webCryptoEd25519(subtle);
  try {
    const tampered = Uint8Array.from(PROBE.signature);
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    const works =
      equalBytes(await candidate.publicKey(PROBE.seed), PROBE.publicKey) &&
      equalBytes(await candidate.sign(PROBE.seed, PROBE.message), PROBE.signature) &&
      (await candidate.verify(PROBE.publicKey, PROBE.message, PROBE.signature)) &&
      !(await candidate.verify(PROBE.publicKey, PROBE.message, tampered));
    return works ? candidate : nobleEd25519;
  } catch {
    // NotSupportedError and friends: this engine's WebCrypto has no (working) Ed25519.
    return nobleEd25519;
  }
}

const detected = new WeakMap<SubtleCrypto, Promise<Ed25519>>();

/**
 * Pick the best working backend: WebCrypto if it passes an RFC 8032 known-answer test (public
 * key, sign, verify, reject tampered), otherwise noble. The result is memoised per SubtleCrypto.
 *
 * @param subtle - The SubtleCrypto to probe; defaults to `globalThis.crypto.subtle`. When there is
 *   none, noble is returned.
 * @returns The chosen backend; never rejects.
 * @throws Never.
 */
export function detectEd25519(subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): Promise<Ed25519> {
  if (!subtle) return Promise.resolve(nobleEd25519);
  let result = detected.get(subtle);
  if (!result) {
    result = probe(subtle);
    detected.set(subtle, result);
  }
  return result;
}
