/**
 * Validating a manual upload (repair f): cross-signing keys the user pasted or loaded, checked
 * before anything is sent to `POST /keys/device_signing/upload` (docs/matrix-api.md#cross-signing-key-upload, docs/matrix-api.md#synapse-upload-checks). Modelled
 * on the SDK call `uploadCrossSigningKeys(auth, masterKey, selfSigningKey, userSigningKey)`.
 * Untrusted input: returns every problem found, never throws on bad data.
 */
import { tryDecodeBase64 } from '../base64.ts';
import type { Ed25519 } from '../ed25519.ts';
import { describeType, isJsonObject, isString, own } from '../matrix/json-guards.ts';
import type { CrossSigningKey, DeviceSigningUploadRequest } from '../matrix/types.ts';
import { fail, ok, type Result } from '../result.ts';
import { verifyJsonSignature } from '../signing.ts';
import { checkCrossSigningKey, type KeyShapeProblem } from './key-shape.ts';
import { ROLE, ROLES, type KeyRole } from '../roles.ts';
import { checkUserId, seedMatches } from './keys.ts';
import { say } from '../words/say.ts';

/** What the user supplied: key objects (any JSON) and, optionally, their seeds in base64. */
export interface ManualUploadInput {
  master?: unknown;
  selfSigning?: unknown;
  userSigning?: unknown;
  seeds?: { master?: string; selfSigning?: string; userSigning?: string };
}

export type ManualUploadProblemCode =
  | KeyShapeProblem['code']
  | 'empty' // no key given
  | 'unsigned' // SSK/USK without the master's signature
  | 'bad-signature' // SSK/USK signature by the master does not verify
  | 'no-master' // SSK/USK given, but no master in the input and none published
  | 'incomplete-replacement' // a new master without both subkeys (docs/matrix-api.md#synapse-upload-checks)
  | 'seed' // a seed that is not 32 bytes of base64
  | 'seed-mismatch' // a seed that does not derive its key's public key
  | 'seed-without-key'; // a seed for a key that is neither given nor published

export interface ManualUploadProblem {
  /** `input`, a role, or `seeds.<role>`. */
  field: 'input' | KeyRole | `seeds.${KeyRole}`;
  code: ManualUploadProblemCode;
  message: string;
}

/** A checked upload. `seeds` are private: keep them out of plans, progress and logs. */
export interface ValidatedManualUpload {
  userId: string;
  /** The key objects exactly as given (their signatures cover these bytes). No `auth`. */
  body: DeviceSigningUploadRequest;
  publicKeys: Partial<Record<KeyRole, string>>;
  /** A master is given and differs from the published one. */
  replacesMaster: boolean;
  seeds: Partial<Record<KeyRole, Uint8Array>>;
}

const INPUT_FIELDS = new Set(['master', 'selfSigning', 'userSigning', 'seeds']);

/** A shape problem of a given key, in one sentence with the key's field name. */
const KEY_PROBLEM_SAYS = {
  master: 'core_eng_manual_master_bad',
  selfSigning: 'core_eng_manual_self_signing_bad',
  userSigning: 'core_eng_manual_user_signing_bad',
} as const;

/**
 * Check a manual upload against the user and the currently published master.
 *
 * - Shape of each key: `user_id`, `usage`, exactly one `ed25519:<pub>` = `<pub>`, no extra fields.
 * - SSK/USK: a valid signature by the master given alongside, else by the published master.
 * - A master that replaces the published one needs both subkeys (docs/matrix-api.md#synapse-upload-checks: uploading only
 *   a new master leaves the old subkeys published).
 * - Seeds: 32 bytes of base64 that derive the public key of the key they accompany.
 *
 * @param current - The user and the unpadded base64 published master, if any.
 * @returns The upload, or every problem found.
 * @throws {TypeError|RangeError} Only on a malformed `current.userId` (a programmer error).
 */
export async function validateManualUpload(
  input: unknown, current: { userId: string; masterPublicKey?: string }, ed: Ed25519,
): Promise<Result<ValidatedManualUpload, ManualUploadProblem[]>> {
  checkUserId(current.userId);
  const problems: ManualUploadProblem[] = [];
  if (!isJsonObject(input)) return fail([{ field: 'input', code: 'not-object', message: say('core_eng_manual_input_not_object', describeType(input)) }]);
  const extra = Object.keys(input).filter((k) => !INPUT_FIELDS.has(k));
  if (extra.length > 0) problems.push({ field: 'input', code: 'unknown-field', message: say('core_eng_manual_unexpected_fields', extra.slice(0, 3).join(', ')) });

  const body: DeviceSigningUploadRequest = {};
  const publicKeys: Partial<Record<KeyRole, string>> = {};
  for (const role of ROLES) {
    const value = own(input, role);
    if (value === undefined || value === null) continue;
    const checked = checkCrossSigningKey(value, current.userId, ROLE[role].usage, true);
    if (!checked.ok) {
      problems.push({ field: role, code: checked.error.code, message: say(KEY_PROBLEM_SAYS[role], checked.error.message) });
      continue;
    }
    (body as Record<string, CrossSigningKey>)[ROLE[role].uploadField] = checked.value.key;
    publicKeys[role] = checked.value.publicKey;
  }
  if (ROLES.every((role) => own(input, role) === undefined || own(input, role) === null)) {
    problems.push({ field: 'input', code: 'empty', message: say('core_eng_manual_no_key') });
  }

  const signer = publicKeys.master ?? (own(input, 'master') == null ? current.masterPublicKey : undefined);
  for (const role of ['selfSigning', 'userSigning'] as const) {
    const key = (body as Record<string, CrossSigningKey | undefined>)[ROLE[role].uploadField];
    if (key === undefined) continue;
    if (signer === undefined) {
      if (own(input, 'master') == null) problems.push({ field: role, code: 'no-master', message: say('core_eng_manual_no_master', role) });
      continue;
    }
    const masterBytes = tryDecodeBase64(signer);
    const check = masterBytes.ok
      ? await verifyJsonSignature(key, current.userId, `ed25519:${signer}`, masterBytes.value, ed)
      : 'invalid';
    if (check === 'not-signed') problems.push({ field: role, code: 'unsigned', message: say('core_eng_manual_unsigned', role, signer) });
    if (check === 'invalid') problems.push({ field: role, code: 'bad-signature', message: say('core_eng_manual_bad_signature', role, signer) });
  }

  const replacesMaster = publicKeys.master !== undefined && publicKeys.master !== current.masterPublicKey;
  // Only when a subkey is absent: an invalid one is already reported.
  if (replacesMaster && (own(input, 'selfSigning') == null || own(input, 'userSigning') == null)) {
    problems.push({ field: 'master', code: 'incomplete-replacement', message: say('core_eng_manual_incomplete_replacement') });
  }

  const seeds = await checkSeeds(own(input, 'seeds'), publicKeys, current.masterPublicKey, ed, problems);
  if (problems.length > 0) {
    for (const seed of Object.values(seeds)) seed.fill(0);
    return fail(problems);
  }
  return ok({ userId: current.userId, body, publicKeys, replacesMaster, seeds });
}

async function checkSeeds(
  raw: unknown,
  publicKeys: Partial<Record<KeyRole, string>>,
  publishedMaster: string | undefined,
  ed: Ed25519,
  problems: ManualUploadProblem[],
): Promise<Partial<Record<KeyRole, Uint8Array>>> {
  const seeds: Partial<Record<KeyRole, Uint8Array>> = {};
  if (raw === undefined || raw === null) return seeds;
  if (!isJsonObject(raw)) {
    problems.push({ field: 'input', code: 'seed', message: say('core_eng_manual_seeds_not_object', describeType(raw)) });
    return seeds;
  }
  const extra = Object.keys(raw).filter((k) => !(ROLES as readonly string[]).includes(k));
  if (extra.length > 0) problems.push({ field: 'input', code: 'unknown-field', message: say('core_eng_manual_unexpected_seeds', extra.slice(0, 3).join(', ')) });
  for (const role of ROLES) {
    const text = own(raw, role);
    if (text === undefined || text === null) continue;
    const field = `seeds.${role}` as const;
    const bytes = isString(text) ? tryDecodeBase64(text.trim()) : undefined;
    if (bytes === undefined || !bytes.ok || bytes.value.length !== 32) {
      problems.push({ field, code: 'seed', message: say('core_eng_manual_seed_length', role) });
      continue;
    }
    const publicKey = publicKeys[role] ?? (role === 'master' ? publishedMaster : undefined);
    if (publicKey === undefined) {
      problems.push({ field, code: 'seed-without-key', message: say('core_eng_manual_seed_without_key', role) });
    } else if (!(await seedMatches(bytes.value, publicKey, ed))) {
      problems.push({ field, code: 'seed-mismatch', message: say('core_eng_manual_seed_mismatch', role, publicKey) });
    } else {
      seeds[role] = bytes.value;
      continue;
    }
    bytes.value.fill(0);
  }
  return seeds;
}
