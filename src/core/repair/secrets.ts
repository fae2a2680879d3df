/**
 * The private side of a repair, kept apart from plans and progress (which are persisted and
 * shown): secret-storage keys in a {@link CheckedSecretStorageKey}, and the secrets they read.
 * Reading and writing secrets follows docs/protocol.md#secret-storage.
 */
import { decodeBase64, encodeBase64 } from '../base64.ts';
import { decryptSecret, encryptSecret, SECRET_STORAGE_ALGORITHM, checkSecretStorageKey } from '../secret-storage.ts';
import { isJsonObject, own, setOwn } from '../matrix/json-guards.ts';
import { parseDefaultKey, parseSecretContent, parseSecretStorageKeyDescription } from '../matrix/parse.ts';
import { fail, ok, type Result } from '../result.ts';
import type { PlanError } from './errors.ts';

/** A secret-storage key that matched its key description. `key` is PRIVATE. */
export interface CheckedSecretStorageKey {
  keyId: string;
  key: Uint8Array;
  /** It is the account's default key (`m.secret_storage.default_key`). */
  isDefault: boolean;
}

/**
 * Check a secret-storage key the user supplied (recovery key or passphrase, already decoded)
 * against `m.secret_storage.key.<keyId>` (docs/protocol.md#secret-storage-key-check), and whether it is the default key (docs/protocol.md#secret-storage-account-data).
 *
 * @param description - The raw content of `m.secret_storage.key.<keyId>`.
 * @param defaultKey - The raw content of `m.secret_storage.default_key` (null when unset).
 */
export async function prepareSecretStorageKey(input: {
  keyId: string; key: Uint8Array; description: unknown; defaultKey: unknown;
}): Promise<Result<CheckedSecretStorageKey, PlanError>> {
  const bad = (message: string) => fail<PlanError>({ code: 'bad-secret-storage-key', message });
  if (typeof input.keyId !== 'string' || input.keyId === '') return bad('no key ID');
  if (!(input.key instanceof Uint8Array) || input.key.length !== 32) return bad('the secret-storage key is not 32 bytes');
  const description = parseSecretStorageKeyDescription(input.description);
  if (!description.ok) return bad(description.error);
  if (description.value.algorithm !== SECRET_STORAGE_ALGORITHM) return bad(`unsupported algorithm ${JSON.stringify(description.value.algorithm)}`);
  if (!(await checkSecretStorageKey(input.key, description.value))) return bad('the key does not match its key description (wrong recovery key or passphrase?)');
  const defaultKey = parseDefaultKey(input.defaultKey);
  return ok({ keyId: input.keyId, key: input.key, isDefault: defaultKey.ok && defaultKey.value?.key === input.keyId });
}

/**
 * Decrypt a secret stored under `ssss` (docs/protocol.md#secret-encryption). Untrusted content: never throws on bad data.
 * @returns The plaintext (PRIVATE), or why not.
 */
export async function readSecret(content: unknown, name: string, ssss: CheckedSecretStorageKey): Promise<Result<string, PlanError>> {
  const parsed = parseSecretContent(content);
  if (!parsed.ok) return fail({ code: 'secret-unreadable', message: `${name}: ${parsed.error}` });
  const encrypted = parsed.value?.encrypted;
  const entry = encrypted !== undefined && Object.prototype.hasOwnProperty.call(encrypted, ssss.keyId) ? encrypted[ssss.keyId] : undefined;
  if (entry === undefined) return fail({ code: 'secret-unreadable', message: `${name} is not stored under key ${ssss.keyId}` });
  try {
    return ok(await decryptSecret(ssss.key, name, entry));
  } catch (error) {
    // SecretStorageError: bad MAC (wrong key, tampering) or malformed fields.
    return fail({ code: 'secret-unreadable', message: `${name} does not decrypt under key ${ssss.keyId}: ${error instanceof Error ? error.message : 'error'}` });
  }
}

/** A cross-signing seed read from secret storage: base64 (padded or not, docs/protocol.md#private-key-encoding) of 32 bytes. */
export async function readSeed(content: unknown, name: string, ssss: CheckedSecretStorageKey): Promise<Result<Uint8Array, PlanError>> {
  const text = await readSecret(content, name, ssss);
  if (!text.ok) return text;
  try {
    const seed = decodeBase64(text.value.trim());
    if (seed.length === 32) return ok(seed);
    seed.fill(0);
  } catch {
    // Not base64: reported below without echoing the (private) plaintext.
  }
  return fail({ code: 'secret-unreadable', message: `${name} is not the base64 of a 32-byte seed` });
}

/**
 * The account-data content for a secret after adding an encryption under `ssss`.
 *
 * - `keep: 'others'` (repair d): every field and every other `encrypted` entry of `existing` is
 *   kept as it was — we add, never delete.
 * - `keep: 'none'` (new keys replace old ones, repairs a/b): only the new entry, because the
 *   entries under other keys hold the replaced seed, which no longer matches anything published.
 *
 * Seeds are written as unpadded base64 (docs/protocol.md#private-key-encoding).
 */
export async function secretContentWith(
  existing: unknown, name: string, plaintext: string, ssss: CheckedSecretStorageKey, keep: 'others' | 'none',
): Promise<Record<string, unknown>> {
  const encryptedSecret = await encryptSecret(ssss.key, name, plaintext);
  const content: Record<string, unknown> = {};
  const encrypted: Record<string, unknown> = {};
  if (keep === 'others' && isJsonObject(existing)) {
    for (const [field, value] of Object.entries(existing)) if (field !== 'encrypted') setOwn(content, field, value);
    const previous = own(existing, 'encrypted');
    if (isJsonObject(previous)) for (const [keyId, value] of Object.entries(previous)) setOwn(encrypted, keyId, value);
  }
  setOwn(encrypted, ssss.keyId, encryptedSecret);
  setOwn(content, 'encrypted', encrypted);
  return content;
}

/** `encodeBase64` of a seed, for secret storage (docs/protocol.md#private-key-encoding). */
export const seedSecret = (seed: Uint8Array): string => encodeBase64(seed);
