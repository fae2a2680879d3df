/**
 * Parsers for secret-storage account data and key-backup versions (docs/matrix-api.md#secret-storage-account-data, docs/matrix-api.md#key-backup).
 * Re-exported by parse.ts. Never throw.
 */
import { fail, ok, type Result } from '../result.ts';
import {
  describeType, isJsonObject, isNonNegativeInteger, isSignatures, isString, own, PROTO_KEY,
  quote, setOwn, withinDepth,
} from './json-guards.ts';
import type {
  EncryptedSecret, KeyBackupAuthData, KeyBackupVersion, SecretContent,
  SecretStorageDefaultKeyContent, SecretStorageKeyDescription, SecretStoragePassphrase,
} from './types.ts';

/** An optional string field: absent or `null` → undefined; another type → an error string. */
function optionalString(obj: Record<string, unknown>, key: string, what: string): Result<string | undefined> {
  const value = own(obj, key);
  if (value === undefined || value === null) return ok(undefined);
  return isString(value) ? ok(value) : fail(`${what} ${key} is ${describeType(value)}, not a string`);
}

/**
 * `m.secret_storage.default_key`. `null` (unset, 404), `{}` and an empty `key` all mean
 * "no default key" (docs/matrix-api.md#secret-storage-account-data).
 * @see https://spec.matrix.org/v1.18/client-server-api/#key-storage
 */
export function parseDefaultKey(content: unknown): Result<SecretStorageDefaultKeyContent | null> {
  if (content === null || content === undefined) return ok(null);
  if (!isJsonObject(content)) return fail(`default key content is ${describeType(content)}, not an object`);
  const key = optionalString(content, 'key', 'default key');
  if (!key.ok) return key;
  return ok(key.value === undefined || key.value === '' ? null : { key: key.value });
}

function parsePassphrase(value: unknown): Result<SecretStoragePassphrase> {
  if (!isJsonObject(value)) return fail(`key description passphrase is ${describeType(value)}, not an object`);
  const algorithm = own(value, 'algorithm');
  const salt = own(value, 'salt');
  const iterations = own(value, 'iterations');
  const bits = own(value, 'bits');
  if (!isString(algorithm)) return fail('key description passphrase.algorithm is not a string');
  if (!isString(salt)) return fail('key description passphrase.salt is not a string');
  if (!isNonNegativeInteger(iterations) || iterations === 0) {
    return fail('key description passphrase.iterations is not a positive integer');
  }
  const passphrase: SecretStoragePassphrase = { algorithm, salt, iterations };
  if (bits !== undefined && bits !== null) {
    if (!isNonNegativeInteger(bits) || bits === 0 || bits % 8 !== 0) {
      return fail('key description passphrase.bits is not a positive multiple of 8');
    }
    passphrase.bits = bits;
  }
  return ok(passphrase);
}

/**
 * `m.secret_storage.key.<key ID>`. Returns a fresh object with only the known fields.
 * Does not bound `iterations`/`bits`: the key-derivation code must cap them.
 * @see https://spec.matrix.org/v1.18/client-server-api/#msecret_storagev1aes-hmac-sha2
 */
export function parseSecretStorageKeyDescription(content: unknown): Result<SecretStorageKeyDescription> {
  if (!isJsonObject(content)) return fail(`key description is ${describeType(content)}, not an object`);
  const algorithm = own(content, 'algorithm');
  if (!isString(algorithm)) return fail('key description has no algorithm string');
  const description: SecretStorageKeyDescription = { algorithm };
  for (const field of ['name', 'iv', 'mac'] as const) {
    const value = optionalString(content, field, 'key description');
    if (!value.ok) return value;
    if (value.value !== undefined) description[field] = value.value;
  }
  const passphrase = own(content, 'passphrase');
  if (passphrase !== undefined && passphrase !== null) {
    const parsed = parsePassphrase(passphrase);
    if (!parsed.ok) return parsed;
    description.passphrase = parsed.value;
  }
  return ok(description);
}

function parseEncryptedSecret(value: unknown): EncryptedSecret | undefined {
  if (!isJsonObject(value)) return undefined;
  const iv = own(value, 'iv');
  const ciphertext = own(value, 'ciphertext');
  const mac = own(value, 'mac');
  return isString(iv) && isString(ciphertext) && isString(mac) ? { iv, ciphertext, mac } : undefined;
}

/**
 * A secret's account data content, e.g. `m.cross_signing.master`. `null`, content without
 * `encrypted` (js-sdk deletes a secret by writing `{}`) and an empty `encrypted` all mean
 * "absent" (docs/matrix-api.md#secret-storage-account-data). Malformed per-key entries are dropped; if every entry is
 * malformed the parse fails.
 * @see https://spec.matrix.org/v1.18/client-server-api/#msecret_storagev1aes-hmac-sha2
 */
export function parseSecretContent(content: unknown): Result<SecretContent | null> {
  if (content === null || content === undefined) return ok(null);
  if (!isJsonObject(content)) return fail(`secret content is ${describeType(content)}, not an object`);
  const raw = own(content, 'encrypted');
  if (raw === undefined || raw === null) return ok(null);
  if (!isJsonObject(raw)) return fail(`secret encrypted is ${describeType(raw)}, not an object`);
  const encrypted: Record<string, EncryptedSecret> = {};
  const bad: string[] = [];
  for (const [keyId, entry] of Object.entries(raw)) {
    const parsed = keyId === PROTO_KEY ? undefined : parseEncryptedSecret(entry);
    if (parsed === undefined) bad.push(keyId);
    else setOwn(encrypted, keyId, parsed);
  }
  if (Object.keys(encrypted).length === 0) {
    return bad.length === 0
      ? ok(null)
      : fail(`secret has no well-formed encryption (malformed: ${bad.slice(0, 3).map((k) => quote(k)).join(', ')})`);
  }
  return ok({ encrypted });
}

/**
 * A key backup version. `auth_data` is signed, so it is returned as the very object received.
 * @see https://spec.matrix.org/v1.18/client-server-api/#get_matrixclientv3room_keysversion
 */
export function parseKeyBackupVersion(value: unknown): Result<KeyBackupVersion> {
  if (!isJsonObject(value)) return fail(`key backup version is ${describeType(value)}, not an object`);
  const algorithm = own(value, 'algorithm');
  const authData = own(value, 'auth_data');
  const count = own(value, 'count');
  const etag = own(value, 'etag');
  const version = own(value, 'version');
  if (!isString(algorithm)) return fail('key backup version has no algorithm string');
  if (!isString(version)) return fail('key backup version has no version string');
  if (!isNonNegativeInteger(count)) return fail('key backup version count is not a non-negative integer');
  if (!isString(etag)) return fail('key backup version has no etag string');
  if (!isJsonObject(authData)) return fail(`key backup auth_data is ${describeType(authData)}, not an object`);
  if (!isString(own(authData, 'public_key'))) return fail('key backup auth_data.public_key is not a string');
  const signatures = own(authData, 'signatures');
  if (signatures !== undefined && !isSignatures(signatures)) {
    return fail('key backup auth_data.signatures is not an object of objects of strings');
  }
  if (!withinDepth(authData, 16)) return fail('key backup auth_data is nested too deeply');
  return ok({ algorithm, auth_data: authData as KeyBackupAuthData, count, etag, version });
}
