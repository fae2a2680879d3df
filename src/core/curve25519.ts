/**
 * Curve25519 (X25519) public keys, used to check the key backup secret: the `m.megolm_backup.v1`
 * secret is the base64 of a 32-byte Curve25519 private key, and it is trustworthy for a backup
 * whose `auth_data.public_key` equals the key derived from it (docs/matrix-api.md#private-key-encoding, docs/matrix-api.md#key-backup).
 */
import { x25519 } from '@noble/curves/ed25519.js';

const KEY_LENGTH = 32;

/**
 * Derive the Curve25519 public key of a private key (RFC 7748 §5: X25519(k, 9), with clamping).
 *
 * @param privateKey - The 32-byte Curve25519 private key (for example the decoded backup secret).
 * @returns The 32-byte public key; encode it with unpadded base64 to compare with
 *   `auth_data.public_key`.
 * @throws {TypeError} If `privateKey` is not a Uint8Array.
 * @throws {RangeError} If `privateKey` is not 32 bytes long.
 * @example
 * ```ts
 * encodeBase64(curve25519PublicKey(decodeBase64(backupSecret))) === authData.public_key;
 * ```
 */
export function curve25519PublicKey(privateKey: Uint8Array): Uint8Array {
  if (!(privateKey instanceof Uint8Array)) throw new TypeError('privateKey must be a Uint8Array');
  if (privateKey.length !== KEY_LENGTH) {
    throw new RangeError(`privateKey must be ${KEY_LENGTH} bytes, got ${privateKey.length}`);
  }
  return Uint8Array.from(x25519.getPublicKey(privateKey));
}
