/**
 * Public API of the pure core (no extension APIs, no DOM, no global fetch): one `export` block per
 * module, so new modules are added by appending a block.
 */

export { fail, isJsonObject, ok } from './result.ts';
export type { Result } from './result.ts';

export { canonicalJson, CanonicalJsonError, compareCodePoints } from './canonical-json.ts';

export { Base64Error, decodeBase64, encodeBase64, tryDecodeBase64 } from './base64.ts';

export { decodeRecoveryKey, encodeRecoveryKey, RecoveryKeyError } from './recovery-key.ts';
export type { RecoveryKeyErrorCode } from './recovery-key.ts';

export { detectEd25519, nobleEd25519, webCryptoEd25519 } from './ed25519.ts';
export type { Ed25519 } from './ed25519.ts';

export { signingBytes, signJson, verifyJsonSignature } from './signing.ts';
export type { JsonSigner, SignatureCheck, Signatures } from './signing.ts';

export {
  calculateKeyCheck,
  checkSecretStorageKey,
  createSecretStorageKeyDescription,
  decryptSecret,
  deriveKeyFromPassphrase,
  encryptSecret,
  SECRET_STORAGE_ALGORITHM,
  SecretStorageError,
} from './secret-storage.ts';
export type {
  EncryptedSecret,
  KeyDescriptionOptions,
  PassphraseInfo,
  SecretStorageErrorCode,
  SecretStorageKeyDescription,
} from './secret-storage.ts';

export { curve25519PublicKey } from './curve25519.ts';

export { maskSecret } from './mask.ts';

export { array, bool, int, literal, object, optional, str } from './schema.ts';
export type { Infer, Validator } from './schema.ts';

export { createMatrixClient } from './matrix/client.ts';
export type { CallOptions, MatrixClient, MatrixClientOptions, QueryKeysOptions, RawRequestOptions, RequestReport } from './matrix/client.ts';

export { ConnectionError, getRetryAfterMs, MatrixApiError, UiaRequiredError } from './matrix/errors.ts';
export type { ConnectionErrorKind } from './matrix/errors.ts';

export * from './matrix/parse.ts';

/** Wire types of the client-server API, snake_case as on the wire. */
export type * as wire from './matrix/types.ts';
