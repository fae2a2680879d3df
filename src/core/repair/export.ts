/**
 * The export file of new cross-signing keys: the "nothing lost" alternative to secret storage.
 * The user saves it BEFORE the new keys are uploaded (see plans.ts); it holds the private seeds
 * in unpadded base64 (docs/matrix-api.md#private-key-encoding: the seed, not the expanded secret key), so the caller
 * must only ever hand it to the user (a download), never persist it itself.
 */
import { encodeBase64, tryDecodeBase64 } from '../base64.ts';
import type { Ed25519 } from '../ed25519.ts';
import { isJsonObject, isString, own } from '../matrix/json-guards.ts';
import { fail, ok, type Result } from '../result.ts';
import { ROLE, ROLES, type KeyRole } from '../roles.ts';
import { checkUserId, seedMatches, type CrossSigningKeyPair } from './keys.ts';
import { say } from '../words/say.ts';

export const EXPORT_FORMAT = 'xsign-doctor.cross-signing-keys';

/** One key in the file, snake_case like the wire. */
export interface ExportedKey {
  usage: string;
  public_key: string;
  /** Unpadded base64 of the 32-byte Ed25519 seed. PRIVATE. */
  seed: string;
}

export interface KeysExportFile {
  format: typeof EXPORT_FORMAT;
  version: 1;
  user_id: string;
  created_at: string;
  master?: ExportedKey;
  self_signing?: ExportedKey;
  user_signing?: ExportedKey;
}

/**
 * Serialise keys for the user to save: any subset of the three (e.g. the result of
 * `generateCrossSigningKeys`, or the new subkeys of `buildSubkeysForExistingMaster`).
 *
 * @param now - Creation time; defaults to the current time.
 * @returns Pretty-printed JSON text (a {@link KeysExportFile}).
 * @throws {TypeError|RangeError} On a malformed user ID or when no key is given.
 */
export function exportKeysFile(
  keys: { userId: string } & Partial<Record<KeyRole, CrossSigningKeyPair>>, now: Date = new Date(),
): string {
  checkUserId(keys.userId);
  const file: KeysExportFile = { format: EXPORT_FORMAT, version: 1, user_id: keys.userId, created_at: now.toISOString() };
  for (const role of ROLES) {
    const pair = keys[role];
    if (pair === undefined) continue;
    file[ROLE[role].usage] = { usage: ROLE[role].usage, public_key: pair.publicKey, seed: encodeBase64(pair.seed) };
  }
  if (ROLES.every((role) => keys[role] === undefined)) throw new TypeError('keys must contain at least one key');
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Seeds read back from an export file, each checked against its public key. PRIVATE. */
export interface ImportedKeys {
  userId: string;
  createdAt: string;
  publicKeys: Partial<Record<KeyRole, string>>;
  seeds: Partial<Record<KeyRole, Uint8Array>>;
}

/**
 * The JSON object of an export file of `version` (its text, or the parsed value), or `notOurs`.
 * Untrusted input: never throws, and never quotes the content, which holds private seeds (as
 * JSON.parse's message may).
 */
export function exportObject(text: unknown, version: 1 | 2, notOurs: string): Result<Record<string, unknown>> {
  let value: unknown;
  try {
    value = typeof text === 'string' ? JSON.parse(text) : text;
  } catch {
    return fail(say('core_rp_file_not_json'));
  }
  if (!isJsonObject(value) || own(value, 'format') !== EXPORT_FORMAT || own(value, 'version') !== version) return fail(notOurs);
  return ok(value);
}

/**
 * Read an export file back (e.g. to store the seeds in secret storage later, repair d).
 * Untrusted input: never throws; every seed must derive its stated public key.
 */
export async function parseKeysExportFile(text: unknown, ed: Ed25519): Promise<Result<ImportedKeys>> {
  const file = exportObject(text, 1, say('core_rp_file_not_export_v1'));
  if (!file.ok) return file;
  const value = file.value;
  const userId = own(value, 'user_id');
  const createdAt = own(value, 'created_at');
  if (!isString(userId) || !userId.startsWith('@') || userId.indexOf(':') < 2) return fail(say('core_rp_file_no_valid_user_id'));
  const result: ImportedKeys = { userId, createdAt: isString(createdAt) ? createdAt : '', publicKeys: {}, seeds: {} };
  for (const role of ROLES) {
    const entry = own(value, ROLE[role].usage);
    if (entry === undefined) continue;
    const publicKey = isJsonObject(entry) ? own(entry, 'public_key') : undefined;
    const seed = isJsonObject(entry) ? tryDecodeBase64(own(entry, 'seed')) : undefined;
    if (!isString(publicKey) || seed === undefined || !seed.ok || seed.value.length !== 32) {
      return fail(say('core_rp_export_entry_malformed', ROLE[role].usage));
    }
    if (!(await seedMatches(seed.value, publicKey, ed))) return fail(say('core_rp_export_seed_mismatch', ROLE[role].usage));
    result.publicKeys[role] = publicKey;
    result.seeds[role] = seed.value;
  }
  if (Object.keys(result.seeds).length === 0) return fail(say('core_rp_file_holds_no_key'));
  return ok(result);
}
