/**
 * The CLI's Ed25519: verification through Node's own crypto (OpenSSL, the same code WebCrypto
 * runs in Node), without WebCrypto's per-call wrapping.
 *
 * Why: `status` on a large account verifies two signatures per device (its self-signature and the
 * self-signing key's) and imports one key per device. In Node, `subtle.importKey` costs about
 * 34 µs of main-thread JavaScript a key (CryptoKey objects made transferable, algorithm
 * normalisation), and `subtle.verify` wraps every call the same way; a `KeyObject` from a JWK
 * costs about 9 µs and `crypto.verify` with a callback runs on the thread pool like WebCrypto's
 * job does. On 5 000 devices `status` takes about 15 % less time (docs/design.md#cli-crypto).
 *
 * The verification policy is the core's (src/core/ed25519.ts): malformed shapes are false, never
 * a throw; a non-canonical or small-order public key is refused before OpenSSL sees it
 * (`isAcceptablePublicKey`); OpenSSL itself refuses a non-canonical S. The conformance suite
 * every backend passes is run on this one too (node-ed25519.test.ts). Deriving public keys and
 * signing are rare (repairs), so they stay with the WebCrypto backend.
 */
import { createPublicKey, verify as opensslVerify, type KeyObject } from 'node:crypto';
import { isAcceptablePublicKey, lruMap, PUBLIC_KEY_CACHE_SIZE, webCryptoEd25519, type Ed25519 } from '../core/index.ts';

const PUBLIC_KEY_LENGTH = 32;
const SIGNATURE_LENGTH = 64;

/**
 * An {@link Ed25519} whose `verify` uses node:crypto directly.
 *
 * @returns A backend named `node`; `publicKey` and `sign` are the WebCrypto backend's.
 */
export function nodeEd25519(): Ed25519 {
  const web = webCryptoEd25519();
  // The core's bound: every device is checked against one self-signing key, and each device key
  // is used twice in a row, so the cache holds every key while it is needed.
  const keys = lruMap<string, KeyObject | null>(PUBLIC_KEY_CACHE_SIZE);

  function keyObject(publicKey: Uint8Array): KeyObject | null {
    const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('base64url');
    const cached = keys.get(id);
    if (cached !== undefined) return cached;
    let key: KeyObject | null = null;
    if (isAcceptablePublicKey(publicKey)) {
      try {
        // RFC 8037 §2: an OKP JWK carries the raw 32-byte key as base64url in `x`.
        key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: id }, format: 'jwk' });
      } catch {
        key = null; // not a point OpenSSL accepts: every signature under it is false
      }
    }
    keys.set(id, key);
    return key;
  }

  return Object.freeze({
    name: 'node' as const,
    publicKey: (seed: Uint8Array) => web.publicKey(seed),
    sign: (seed: Uint8Array, message: Uint8Array) => web.sign(seed, message),
    async verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
      if (!(message instanceof Uint8Array)) throw new TypeError('message must be a Uint8Array');
      if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) return false;
      if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) return false;
      const key = keyObject(publicKey);
      if (key === null) return false;
      // Copies, so a caller changing its bytes while the thread pool works cannot change the answer.
      const data = Uint8Array.from(message);
      const sig = Uint8Array.from(signature);
      return new Promise<boolean>((resolve) => {
        try {
          opensslVerify(null, data, key, sig, (error, valid) => resolve(error === null && valid));
        } catch {
          resolve(false);
        }
      });
    },
  });
}
