/**
 * The private side of a repair, kept apart from plans and progress (which are persisted and
 * shown): secret-storage keys in a {@link CheckedSecretStorageKey}, and the secrets they read.
 * Reading and writing secrets follows docs/matrix-api.md#secret-storage.
 */
import { decodeBase64, encodeBase64 } from '../base64.ts';
import { decryptSecret, encryptSecret, MIN_PBKDF2_ITERATIONS_TO_STORE, SECRET_STORAGE_ALGORITHM, verifyKeyCheck } from '../secret-storage.ts';
import { SecretStorageError, type EncryptedSecret } from '../secret-storage.ts';
import type { SecretDecryptions } from '../secret-decryptions.ts';
import { isJsonObject, own, setOwn } from '../matrix/json-guards.ts';
import { parseDefaultKey, parseSecretContent, parseSecretStorageKeyDescription } from '../matrix/parse.ts';
import { fail, ok, type Result } from '../result.ts';
import type { PlanError } from './errors.ts';
import { say, sayCount } from '../words/say.ts';

/**
 * How a secret-storage key was shown to be the one its description names. Only a proven key may
 * store anything: a key description without a check (no `iv`/`mac`) accepts any key, so a
 * mistyped recovery key or passphrase (or a homeserver serving such a description on purpose)
 * would have new private keys stored under a key nobody can derive again — and lost.
 *
 * - `key-check`: the description's `iv`/`mac` check matches (§Secret storage, "Key storage").
 * - `decrypted-secret`: no check, but `secret`, already stored under this key ID, decrypts with
 *   a valid MAC.
 * - `unproven`: neither; `reason` says why in words.
 */
export type KeyProof =
  | { kind: 'key-check' }
  | { kind: 'decrypted-secret'; secret: string }
  | { kind: 'unproven'; reason: string; /** How many secrets under the key were tried (provenBySecret). */ tried?: number };

/** A secret-storage key that did not fail its key description's check. `key` is PRIVATE. */
export interface CheckedSecretStorageKey {
  keyId: string;
  key: Uint8Array;
  /** It is the account's default key (`m.secret_storage.default_key`). */
  isDefault: boolean;
  /** How we know it is the right key; storing needs anything but `unproven` (see {@link storeRefusal}). */
  proof: KeyProof;
  /** The description's `m.pbkdf2` iteration count, when it says the key comes from a passphrase. */
  pbkdf2Iterations?: number;
  /** The unlocked view the inspection filled: secrets already decrypted are not decrypted again. */
  decryptions?: SecretDecryptions;
}

/** Decrypt through `view` when it is this key's, else afresh. */
const decryptUnder = (keyId: string, key: Uint8Array, view: SecretDecryptions | undefined, name: string, entry: EncryptedSecret): Promise<string> =>
  (view !== undefined && view.keyId === keyId ? view.decrypt(name, entry) : decryptSecret(key, name, entry));

/**
 * Why nothing may be stored under `ssss` (a sentence, without the final advice), or undefined
 * when it may. Every path that writes a secret asks this first: reset, regenerate, manual upload,
 * store-secrets (from an export or another key).
 */
export function storeRefusal(ssss: CheckedSecretStorageKey): string | undefined {
  const proof: KeyProof | undefined = ssss.proof;
  if (proof === undefined || proof.kind === 'unproven') {
    // One message per reason: "key $1: $2" could not be told apart from a key ID holding ": ".
    if (proof === undefined) return say('core_eng_store_unproven_not_checked', ssss.keyId);
    if (proof.tried === undefined) return say('core_eng_store_unproven_no_description', ssss.keyId); // prepare-repair's derived key
    return proof.tried === 0 ? say('core_eng_store_unproven_nothing_stored', ssss.keyId) : sayCount('core_eng_store_unproven_none_decrypt', proof.tried, ssss.keyId);
  }
  const iterations = ssss.pbkdf2Iterations;
  if (iterations !== undefined && iterations < MIN_PBKDF2_ITERATIONS_TO_STORE) {
    return sayCount('core_eng_store_few_iterations', iterations, ssss.keyId, MIN_PBKDF2_ITERATIONS_TO_STORE);
  }
  return undefined;
}

/** A secret the account holds, by name, as raw account-data content. */
export interface StoredSecret {
  name: string;
  content: unknown;
}

/** The first of `secrets` stored under `keyId` that decrypts with `key` (its MAC verified). */
async function provenBySecret(keyId: string, key: Uint8Array, secrets: readonly StoredSecret[], view?: SecretDecryptions): Promise<KeyProof> {
  let tried = 0;
  for (const { name, content } of secrets) {
    const parsed = parseSecretContent(content);
    const entry = parsed.ok && parsed.value !== null && Object.prototype.hasOwnProperty.call(parsed.value.encrypted, keyId)
      ? parsed.value.encrypted[keyId] : undefined;
    if (entry === undefined) continue;
    tried += 1;
    try {
      await decryptUnder(keyId, key, view, name, entry);
      return { kind: 'decrypted-secret', secret: name };
    } catch {
      // Wrong key, tampering or malformed: try the next one.
    }
  }
  return {
    kind: 'unproven', tried,
    reason: tried === 0
      ? say('core_eng_proof_nothing_stored')
      : sayCount('core_eng_proof_none_decrypt', tried),
  };
}

/**
 * Check a secret-storage key the user supplied (recovery key or passphrase, already decoded)
 * against `m.secret_storage.key.<keyId>` (client-server API §Secret storage, "Key storage"), say
 * how it is proven (see {@link KeyProof}), and whether it is the default key.
 *
 * @param description - The raw content of `m.secret_storage.key.<keyId>`.
 * @param defaultKey - The raw content of `m.secret_storage.default_key` (null when unset).
 * @param secrets - The secrets the account holds (raw content): a description without a key
 *   check is proven only by one of them decrypting under `keyId`.
 * @returns `bad-secret-storage-key` when the key check fails; otherwise the key with its proof,
 *   which may be `unproven` (usable for reading only).
 */
export async function prepareSecretStorageKey(input: {
  keyId: string; key: Uint8Array; description: unknown; defaultKey: unknown; secrets?: readonly StoredSecret[];
  /** The inspection's unlocked view of this key, if any (decrypt once). */
  decryptions?: SecretDecryptions;
}): Promise<Result<CheckedSecretStorageKey, PlanError>> {
  const bad = (message: string) => fail<PlanError>({ code: 'bad-secret-storage-key', message });
  if (typeof input.keyId !== 'string' || input.keyId === '') return bad(say('core_eng_ssss_no_key_id'));
  if (!(input.key instanceof Uint8Array) || input.key.length !== 32) return bad(say('core_eng_ssss_key_length'));
  const description = parseSecretStorageKeyDescription(input.description);
  if (!description.ok) return bad(description.error);
  if (description.value.algorithm !== SECRET_STORAGE_ALGORITHM) return bad(say('core_eng_ssss_unsupported_algorithm', JSON.stringify(description.value.algorithm)));
  const check = await verifyKeyCheck(input.key, description.value);
  if (check === 'mismatch') return bad(say('core_eng_ssss_key_mismatch'));
  const proof = check === 'match' ? { kind: 'key-check' as const } : await provenBySecret(input.keyId, input.key, input.secrets ?? [], input.decryptions);
  const defaultKey = parseDefaultKey(input.defaultKey);
  const checked: CheckedSecretStorageKey = { keyId: input.keyId, key: input.key, isDefault: defaultKey.ok && defaultKey.value?.key === input.keyId, proof };
  const iterations = description.value.passphrase?.iterations;
  if (iterations !== undefined) checked.pbkdf2Iterations = iterations;
  if (input.decryptions !== undefined && input.decryptions.keyId === input.keyId) checked.decryptions = input.decryptions;
  return ok(checked);
}

/**
 * Decrypt a secret stored under `ssss` (docs/matrix-api.md#secret-encryption). Untrusted content: never throws on bad data.
 * @returns The plaintext (PRIVATE), or why not.
 */
export async function readSecret(content: unknown, name: string, ssss: CheckedSecretStorageKey): Promise<Result<string, PlanError>> {
  const parsed = parseSecretContent(content);
  if (!parsed.ok) return fail({ code: 'secret-unreadable', message: `${name}: ${parsed.error}` });
  const encrypted = parsed.value?.encrypted;
  const entry = encrypted !== undefined && Object.prototype.hasOwnProperty.call(encrypted, ssss.keyId) ? encrypted[ssss.keyId] : undefined;
  if (entry === undefined) return fail({ code: 'secret-unreadable', message: say('core_eng_secret_not_under_key', name, ssss.keyId) });
  try {
    return ok(await decryptUnder(ssss.keyId, ssss.key, ssss.decryptions, name, entry));
  } catch (error) {
    // SecretStorageError: bad MAC (wrong key, tampering) or malformed fields. The bad MAC's sentence
    // is in the message (its words are secret-storage.ts's): "key $2: $3" could not be told apart
    // from a key ID holding ": ". Malformed fields stay written out until that is settled.
    if (error instanceof SecretStorageError && error.code === 'bad-mac') {
      return fail({ code: 'secret-unreadable', message: say('core_eng_secret_no_decrypt_mac', name, ssss.keyId) });
    }
    return fail({ code: 'secret-unreadable', message: `${name} does not decrypt under key ${ssss.keyId}: ${error instanceof Error ? error.message : 'error'}` });
  }
}

/** A cross-signing seed read from secret storage: base64 (padded or not, docs/matrix-api.md#private-key-encoding) of 32 bytes. */
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
  return fail({ code: 'secret-unreadable', message: say('core_eng_secret_not_seed', name) });
}

/**
 * The account-data content for a secret after adding an encryption under `ssss`.
 *
 * - `keep: 'others'` (repair d): every field and every other `encrypted` entry of `existing` is
 *   kept as it was — we add, never delete.
 * - `keep: 'none'` (new keys replace old ones, repairs a/b): only the new entry, because the
 *   entries under other keys hold the replaced seed, which no longer matches anything published.
 *
 * Seeds are written as unpadded base64 (docs/matrix-api.md#private-key-encoding).
 */
export async function secretContentWith(
  existing: unknown, name: string, plaintext: string, ssss: CheckedSecretStorageKey, keep: 'others' | 'none',
): Promise<Record<string, unknown>> {
  // Every plan checks storeRefusal first and returns a PlanError; this is the last line of defence:
  // a caller that skipped the check is a programmer error.
  const refusal = storeRefusal(ssss);
  if (refusal !== undefined) throw new TypeError(`refusing to store ${name}: ${refusal}`);
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

/** `encodeBase64` of a seed, for secret storage (docs/matrix-api.md#private-key-encoding). */
export const seedSecret = (seed: Uint8Array): string => encodeBase64(seed);
