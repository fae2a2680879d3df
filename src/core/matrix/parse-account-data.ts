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
import { say } from '../words/say.ts';

/** An optional string field: absent or `null` → undefined; another type → an error string (`what`, saying the field and its type). */
function optionalString(obj: Record<string, unknown>, key: string, what: 'core_mx_default_key_field_not_string' | 'core_mx_key_description_field_not_string'): Result<string | undefined> {
  const value = own(obj, key);
  if (value === undefined || value === null) return ok(undefined);
  return isString(value) ? ok(value) : fail(say(what, key, describeType(value)));
}

/**
 * `m.secret_storage.default_key`. `null` (unset, 404), `{}` and an empty `key` all mean
 * "no default key" (docs/matrix-api.md#secret-storage-account-data).
 * @see https://spec.matrix.org/v1.18/client-server-api/#key-storage
 */
export function parseDefaultKey(content: unknown): Result<SecretStorageDefaultKeyContent | null> {
  if (content === null || content === undefined) return ok(null);
  if (!isJsonObject(content)) return fail(say('core_mx_default_key_not_object', describeType(content)));
  const key = optionalString(content, 'key', 'core_mx_default_key_field_not_string');
  if (!key.ok) return key;
  return ok(key.value === undefined || key.value === '' ? null : { key: key.value });
}

function parsePassphrase(value: unknown): Result<SecretStoragePassphrase> {
  if (!isJsonObject(value)) return fail(say('core_mx_passphrase_not_object', describeType(value)));
  const algorithm = own(value, 'algorithm');
  const salt = own(value, 'salt');
  const iterations = own(value, 'iterations');
  const bits = own(value, 'bits');
  if (!isString(algorithm)) return fail(say('core_mx_passphrase_algorithm'));
  if (!isString(salt)) return fail(say('core_mx_passphrase_salt'));
  if (!isNonNegativeInteger(iterations) || iterations === 0) {
    return fail(say('core_mx_passphrase_iterations'));
  }
  const passphrase: SecretStoragePassphrase = { algorithm, salt, iterations };
  if (bits !== undefined && bits !== null) {
    if (!isNonNegativeInteger(bits) || bits === 0 || bits % 8 !== 0) {
      return fail(say('core_mx_passphrase_bits'));
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
  if (!isJsonObject(content)) return fail(say('core_mx_key_description_not_object', describeType(content)));
  const algorithm = own(content, 'algorithm');
  if (!isString(algorithm)) return fail(say('core_mx_key_description_no_algorithm'));
  const description: SecretStorageKeyDescription = { algorithm };
  for (const field of ['name', 'iv', 'mac'] as const) {
    const value = optionalString(content, field, 'core_mx_key_description_field_not_string');
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
  if (!isJsonObject(content)) return fail(say('core_mx_secret_content_not_object', describeType(content)));
  const raw = own(content, 'encrypted');
  if (raw === undefined || raw === null) return ok(null);
  if (!isJsonObject(raw)) return fail(say('core_mx_secret_encrypted_not_object', describeType(raw)));
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
      : fail(say('core_mx_secret_malformed', bad.slice(0, 3).map((k) => quote(k)).join(', ')));
  }
  return ok({ encrypted });
}

/**
 * A key backup version. `auth_data` is signed, so it is returned as the very object received.
 * @see https://spec.matrix.org/v1.18/client-server-api/#get_matrixclientv3room_keysversion
 */
export function parseKeyBackupVersion(value: unknown): Result<KeyBackupVersion> {
  if (!isJsonObject(value)) return fail(say('core_mx_backup_not_object', describeType(value)));
  const algorithm = own(value, 'algorithm');
  const authData = own(value, 'auth_data');
  const count = own(value, 'count');
  const etag = own(value, 'etag');
  const version = own(value, 'version');
  if (!isString(algorithm)) return fail(say('core_mx_backup_no_algorithm'));
  if (!isString(version)) return fail(say('core_mx_backup_no_version'));
  if (!isNonNegativeInteger(count)) return fail(say('core_mx_backup_count'));
  if (!isString(etag)) return fail(say('core_mx_backup_no_etag'));
  if (!isJsonObject(authData)) return fail(say('core_mx_backup_auth_data_not_object', describeType(authData)));
  if (!isString(own(authData, 'public_key'))) return fail(say('core_mx_backup_public_key'));
  const signatures = own(authData, 'signatures');
  if (signatures !== undefined && !isSignatures(signatures)) {
    return fail(say('core_mx_backup_signatures'));
  }
  if (!withinDepth(authData, 16)) return fail(say('core_mx_backup_too_deep'));
  return ok({ algorithm, auth_data: authData as KeyBackupAuthData, count, etag, version });
}
