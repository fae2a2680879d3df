/**
 * Wire types for secret storage (global account data) and server-side key backup.
 * Re-exported by types.ts; import from there.
 */
import type { Signatures } from './types.ts';

/**
 * Content of `m.secret_storage.default_key`. `{}` means "no default" (docs/matrix-api.md#secret-storage-account-data).
 * @see https://spec.matrix.org/v1.18/client-server-api/#key-storage
 */
export interface SecretStorageDefaultKeyContent {
  key: string;
}

/**
 * `m.pbkdf2` parameters: PBKDF2-HMAC-SHA512 over the passphrase, salt used as UTF-8 text
 * (docs/matrix-api.md#passphrase-pbkdf2).
 * @see https://spec.matrix.org/v1.18/client-server-api/#deriving-keys-from-passphrases
 */
export interface SecretStoragePassphrase {
  algorithm: string;
  salt: string;
  iterations: number;
  /** Defaults to 256. */
  bits?: number;
}

/**
 * Content of `m.secret_storage.key.<key ID>`. Without `iv`/`mac` the key must be assumed
 * valid (docs/matrix-api.md#secret-storage-account-data).
 * @see https://spec.matrix.org/v1.18/client-server-api/#msecret_storagev1aes-hmac-sha2
 */
export interface SecretStorageKeyDescription {
  algorithm: string;
  name?: string;
  passphrase?: SecretStoragePassphrase;
  iv?: string;
  mac?: string;
}

/** One encryption of a secret; base64, padded or not (docs/matrix-api.md#secret-storage-account-data). */
export interface EncryptedSecret {
  iv: string;
  ciphertext: string;
  mac: string;
}

/**
 * Content of a secret's account data event, e.g. `m.cross_signing.master`.
 * Content without `encrypted` means the secret is absent (docs/matrix-api.md#secret-storage-account-data).
 * @see https://spec.matrix.org/v1.18/client-server-api/#msecret_storagev1aes-hmac-sha2
 */
export interface SecretContent {
  /** secret-storage key ID → encrypted secret. */
  encrypted: Record<string, EncryptedSecret>;
}

/**
 * `auth_data` of an `m.megolm_backup.v1.curve25519-aes-sha2` backup. Signed: kept exactly as
 * received.
 * @see https://spec.matrix.org/v1.18/client-server-api/#server-side-key-backups
 */
export interface KeyBackupAuthData {
  /** Unpadded base64 Curve25519 public key. */
  public_key: string;
  signatures?: Signatures;
  [key: string]: unknown;
}

/** @see https://spec.matrix.org/v1.18/client-server-api/#get_matrixclientv3room_keysversion */
export interface KeyBackupVersion {
  algorithm: string;
  auth_data: KeyBackupAuthData;
  count: number;
  etag: string;
  version: string;
}

/**
 * Only `auth_data` can change; `version`, when given, must match the path (docs/matrix-api.md#key-backup).
 * @see https://spec.matrix.org/v1.18/client-server-api/#put_matrixclientv3room_keysversionversion
 */
export interface RoomKeysVersionUpdateRequest {
  algorithm: string;
  auth_data: KeyBackupAuthData;
  version?: string;
}
