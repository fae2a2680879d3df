/**
 * Plans that give an account back what recovery needs (docs/repairs.md): a new default
 * secret-storage key, the default pointer set to a key the person proved they hold, a new key
 * backup whose key is in secret storage, and signing out sessions whose keys cannot be trusted.
 *
 * "Nothing lost" here means: whatever another step or another client depends on is written
 * first. The new key's description and the secrets under it go before `default_key` points at
 * it; the new backup key (and the old one, under a name that says so) go into secret storage
 * before the backup version that needs it exists. Nothing is deleted: other encryptions of a
 * secret stay, an old key description stays, an old backup version stays on the server.
 */
import { encodeBase64 } from '../base64.ts';
import { curve25519PublicKey } from '../curve25519.ts';
import type { Ed25519 } from '../ed25519.ts';
import { parseSecretContent } from '../matrix/parse.ts';
import { fail, ok, type Result } from '../result.ts';
import { DEFAULT_KEY_TYPE, KEY_DESCRIPTION_PREFIX } from '../inspect/account-state.ts';
import type { SecretStorageKeyDescription } from '../secret-storage.ts';
import { signJson } from '../signing.ts';
import type { PlanError } from './errors.ts';
import { seedMatches } from './keys.ts';
import {
  createBackupStep, deleteDeviceStep, finishPlan, putSecretStep, type RepairPlan, type RepairStep,
} from './plans.ts';
import { secretContentWith, storeRefusal, type CheckedSecretStorageKey } from './secrets.ts';
import { say } from '../words/say.ts';

/** The backup algorithm a new backup uses (E2E module §Server-side key backups). */
export const BACKUP_ALGORITHM = 'm.megolm_backup.v1.curve25519-aes-sha2';
/** The secret the backup's private key is stored as (docs/matrix-api.md#secret-storage-account-data). */
export const BACKUP_SECRET = 'm.megolm_backup.v1';
/** Where the replaced backup key is kept: the old version's number follows (docs/repairs.md#reset-backup). */
export const PREVIOUS_BACKUP_SECRET_PREFIX = 'dev.xsign-doctor.previous.m.megolm_backup.v1.';

export interface NewSecretStorageInput {
  userId: string;
  /** The new key (PRIVATE) with its ID; `isDefault` is what it will be once the plan ran. */
  key: CheckedSecretStorageKey;
  /** Its description, with `iv` and `mac` (createSecretStorageKeyDescription). */
  description: SecretStorageKeyDescription;
  /** Secrets to store under it (PRIVATE plaintexts), each with its current raw content (kept: other encryptions stay). */
  secrets: ReadonlyArray<{ name: string; plaintext: string; existing: unknown }>;
  /** The key ID `default_key` names now, if any (said in the notes: it stays described, only no longer the default). */
  previousDefault?: string | undefined;
}

/** create-secret-storage: the description, then each secret under the new key, then `default_key`. */
export async function planCreateSecretStorage(input: NewSecretStorageInput): Promise<Result<RepairPlan, PlanError>> {
  const { key, userId } = input;
  if (typeof input.description.iv !== 'string' || typeof input.description.mac !== 'string') {
    return fail({ code: 'bad-input', message: say('core_rp_description_needs_key_check') });
  }
  const refusal = storeRefusal(key);
  if (refusal !== undefined) return fail({ code: 'unsafe-secret-storage-key', message: refusal });
  const steps: RepairStep[] = [];
  const describe = putSecretStep('describe-key', say('core_rp_step_describe_key', key.keyId), userId,
    `${KEY_DESCRIPTION_PREFIX}${key.keyId}`, { ...input.description } as Record<string, unknown>);
  steps.push(describe);
  const seen = new Set<string>();
  for (const secret of input.secrets) {
    if (seen.has(secret.name)) return fail({ code: 'bad-input', message: say('core_rp_secret_given_twice', secret.name) });
    seen.add(secret.name);
    const content = await secretContentWith(secret.existing, secret.name, secret.plaintext, key, 'others');
    steps.push(putSecretStep(`store-${secret.name}`, say('core_rp_step_store_secret', secret.name, key.keyId), userId, secret.name, content));
  }
  // Last, and only after everything it points at is on the server.
  steps.push({
    ...putSecretStep('set-default', say('core_rp_make_default_key', key.keyId), userId, DEFAULT_KEY_TYPE, { key: key.keyId }),
    requires: steps.map((s) => s.id),
  });
  const notes = [
    say('core_rp_note_save_recovery_key'),
  ];
  if (input.previousDefault !== undefined) {
    notes.push(say('core_rp_note_previous_default_stays', input.previousDefault));
  }
  return ok(finishPlan({
    kind: 'create-secret-storage', title: say('core_rp_plan_create_secret_storage'), userId,
    safeguard: 'not-applicable', publicKeys: {}, steps, notes,
  }));
}

/** set-default-key: point `default_key` at a key the person proved (its key check matched). */
export function planSetDefaultKey(userId: string, key: CheckedSecretStorageKey): Result<RepairPlan, PlanError> {
  if (key.isDefault) return fail({ code: 'nothing-to-do', message: say('core_rp_already_default_key', key.keyId) });
  if (key.proof.kind !== 'key-check') {
    // A default key nobody can check a recovery key against is the problem this repair is for.
    return fail({
      code: 'unsafe-secret-storage-key',
      message: say('core_rp_default_without_key_check', key.keyId),
    });
  }
  return ok(finishPlan({
    kind: 'set-default-key', title: say('core_rp_make_default_key', key.keyId), userId, safeguard: 'not-applicable', publicKeys: {},
    steps: [putSecretStep('set-default', say('core_rp_make_default_key', key.keyId), userId, DEFAULT_KEY_TYPE, { key: key.keyId })],
    notes: [say('core_rp_note_nothing_else_changes')],
  }));
}

export interface ResetBackupInput {
  userId: string;
  /** The default secret-storage key (proven): the new backup key is stored under it first. */
  secretStorage: CheckedSecretStorageKey;
  /** The new backup private key (PRIVATE, 32 bytes of Curve25519). */
  privateKey: Uint8Array;
  /** The master seed (PRIVATE) and its published public key: signs the new auth_data. */
  master: { seed: Uint8Array; publicKey: string };
  /**
   * What the kept key is named after: the backup version it belongs to, or (a key no current
   * version uses, e.g. left by a run that stopped before creating its version) `no-version-<its
   * public key's first characters>`, so it never overwrites the copy of a version's key.
   */
  previousLabel?: string | undefined;
  /** The current backup version's number, when there is one (said in the notes: it stays). */
  currentVersion?: string | undefined;
  /** The current `m.megolm_backup.v1` content (raw; null if unset). */
  existingSecret: unknown;
  /**
   * The key stored as `m.megolm_backup.v1` now (PRIVATE plaintext), read under `secretStorage`:
   * kept under PREVIOUS_BACKUP_SECRET_PREFIX + version. Undefined when nothing is stored.
   */
  previousKey?: string | undefined;
  /** The current raw content of the name the previous key goes to (other encryptions kept). */
  existingPrevious?: unknown;
  ed: Ed25519;
}

/** reset-backup: keep the old key aside, store the new one, then create the version that needs it. */
export async function planResetBackup(input: ResetBackupInput): Promise<Result<RepairPlan, PlanError>> {
  const { userId, secretStorage: ssss, ed } = input;
  if (!ssss.isDefault) return fail({ code: 'bad-secret-storage-key', message: say('core_plan_key_not_default', ssss.keyId) });
  const refusal = storeRefusal(ssss);
  if (refusal !== undefined) return fail({ code: 'unsafe-secret-storage-key', message: say('core_rp_backup_key_not_stored_under_unsafe', refusal) });
  if (!(input.privateKey instanceof Uint8Array) || input.privateKey.length !== 32) return fail({ code: 'bad-input', message: say('core_eng_backup_key_length') });
  if (!(await seedMatches(input.master.seed, input.master.publicKey, ed))) {
    return fail({ code: 'seed-mismatch', message: say('core_rp_stored_master_not_published') });
  }
  const steps: RepairStep[] = [];
  const notes: string[] = [];
  if (input.existingSecret !== null && input.existingSecret !== undefined && input.previousKey === undefined) {
    const parsed = parseSecretContent(input.existingSecret);
    const others = parsed.ok && parsed.value !== null ? Object.keys(parsed.value.encrypted).filter((id) => id !== ssss.keyId) : [];
    // Under another key it may still be readable by someone: never overwrite a copy we could not keep.
    if (others.length > 0) {
      return fail({ code: 'would-overwrite', message: say(others.length === 1 ? 'core_rp_backup_secret_under_other_key' : 'core_rp_backup_secret_under_other_keys', BACKUP_SECRET, others.join(', ')) });
    }
    notes.push(say('core_rp_note_backup_secret_unreadable', BACKUP_SECRET));
  }
  if (input.previousKey !== undefined) {
    const name = `${PREVIOUS_BACKUP_SECRET_PREFIX}${input.previousLabel ?? input.currentVersion ?? 'no-version'}`;
    const content = await secretContentWith(input.existingPrevious ?? null, name, input.previousKey, ssss, 'others');
    steps.push(putSecretStep('keep-previous', say('core_rp_step_keep_previous_backup_key', name), userId, name, content));
    notes.push(say('core_rp_note_previous_backup_key_kept', name));
  }
  const content = await secretContentWith(null, BACKUP_SECRET, encodeBase64(input.privateKey), ssss, 'none');
  steps.push({ ...putSecretStep('store-backup-key', say('core_rp_step_store_backup_key', ssss.keyId), userId, BACKUP_SECRET, content), requires: steps.map((s) => s.id) });
  const publicKey = encodeBase64(curve25519PublicKey(input.privateKey));
  const authData = await signJson({ public_key: publicKey }, { entity: userId, keyId: `ed25519:${input.master.publicKey}`, seed: input.master.seed }, ed);
  steps.push(createBackupStep('create-backup', say('core_rp_step_create_backup'),
    { algorithm: BACKUP_ALGORITHM, auth_data: authData }, steps.map((s) => s.id)));
  if (input.currentVersion !== undefined) {
    notes.push(say('core_rp_note_old_backup_version_stays', input.currentVersion));
  }
  return ok(finishPlan({
    kind: 'reset-backup', title: say('core_rp_plan_reset_backup'), userId, safeguard: 'secret-storage', publicKeys: {}, steps, notes,
  }));
}

export interface SignOutInput {
  userId: string;
  deviceIds: readonly string[];
  /** This session's device ID: signed out only with `includingThisSession`, and then last. */
  currentDeviceId?: string | undefined;
  includingThisSession?: boolean;
}

/** sign-out-device: `DELETE /devices/{id}` per device (each with UIA), this session last. */
export function planSignOutDevices(input: SignOutInput): Result<RepairPlan, PlanError> {
  const ids = [...new Set(input.deviceIds)];
  if (ids.length === 0) return fail({ code: 'nothing-to-do', message: say('core_rp_no_session_to_sign_out') });
  if (ids.some((id) => typeof id !== 'string' || id === '')) return fail({ code: 'bad-input', message: say('core_rp_device_id_empty') });
  const self = input.currentDeviceId;
  if (self !== undefined && ids.includes(self) && input.includingThisSession !== true) {
    return fail({ code: 'bad-input', message: say('core_rp_this_session_needs_confirmation', self) });
  }
  const ordered = [...ids.filter((id) => id !== self), ...ids.filter((id) => id === self)];
  const notes = [say('core_rp_note_sign_out_each')];
  if (self !== undefined && ordered.includes(self)) notes.push(say('core_rp_note_this_session_last', self));
  return ok(finishPlan({
    kind: 'sign-out-device', title: ordered.length === 1 ? say('core_rp_sign_out_session', ordered[0]!) : say('core_rp_plan_sign_out_sessions', ordered.length), userId: input.userId,
    safeguard: 'not-applicable', publicKeys: {},
    steps: ordered.map((id) => deleteDeviceStep(`sign-out-${id}`, say(id === self ? 'core_rp_sign_out_this_session' : 'core_rp_sign_out_session', id), id)),
    notes,
  }));
}
