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
    return fail({ code: 'bad-input', message: 'a new key description must carry its key check (iv and mac)' });
  }
  const refusal = storeRefusal(key);
  if (refusal !== undefined) return fail({ code: 'unsafe-secret-storage-key', message: refusal });
  const steps: RepairStep[] = [];
  const describe = putSecretStep('describe-key', `Describe the new secret-storage key ${key.keyId} (with its key check)`, userId,
    `${KEY_DESCRIPTION_PREFIX}${key.keyId}`, { ...input.description } as Record<string, unknown>);
  steps.push(describe);
  const seen = new Set<string>();
  for (const secret of input.secrets) {
    if (seen.has(secret.name)) return fail({ code: 'bad-input', message: `${secret.name} is given twice` });
    seen.add(secret.name);
    const content = await secretContentWith(secret.existing, secret.name, secret.plaintext, key, 'others');
    steps.push(putSecretStep(`store-${secret.name}`, `Store ${secret.name} under the new key ${key.keyId}`, userId, secret.name, content));
  }
  // Last, and only after everything it points at is on the server.
  steps.push({
    ...putSecretStep('set-default', `Make ${key.keyId} the default secret-storage key`, userId, DEFAULT_KEY_TYPE, { key: key.keyId }),
    requires: steps.map((s) => s.id),
  });
  const notes = [
    'The new recovery key is shown once, before anything is sent: save it now. Neither the doctor nor the server can show it again.',
  ];
  if (input.previousDefault !== undefined) {
    notes.push(`The current default key ${input.previousDefault} stays described and keeps what is stored under it; it is only no longer the default.`);
  }
  return ok(finishPlan({
    kind: 'create-secret-storage', title: 'Set up secret storage with a new recovery key', userId,
    safeguard: 'not-applicable', publicKeys: {}, steps, notes,
  }));
}

/** set-default-key: point `default_key` at a key the person proved (its key check matched). */
export function planSetDefaultKey(userId: string, key: CheckedSecretStorageKey): Result<RepairPlan, PlanError> {
  if (key.isDefault) return fail({ code: 'nothing-to-do', message: `${key.keyId} is already the default secret-storage key` });
  if (key.proof.kind !== 'key-check') {
    // A default key nobody can check a recovery key against is the problem this repair is for.
    return fail({
      code: 'unsafe-secret-storage-key',
      message: `secret-storage key ${key.keyId} has no key check (iv/mac) that your key matched, so apps could not tell a right recovery key from a wrong one: set up new secret storage instead`,
    });
  }
  return ok(finishPlan({
    kind: 'set-default-key', title: `Make ${key.keyId} the default secret-storage key`, userId, safeguard: 'not-applicable', publicKeys: {},
    steps: [putSecretStep('set-default', `Make ${key.keyId} the default secret-storage key`, userId, DEFAULT_KEY_TYPE, { key: key.keyId })],
    notes: ['Nothing else changes: every key description and secret stays as it is.'],
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
  if (!ssss.isDefault) return fail({ code: 'bad-secret-storage-key', message: `key ${ssss.keyId} is not the default secret-storage key` });
  const refusal = storeRefusal(ssss);
  if (refusal !== undefined) return fail({ code: 'unsafe-secret-storage-key', message: `${refusal}; the new backup key is not stored under it` });
  if (!(input.privateKey instanceof Uint8Array) || input.privateKey.length !== 32) return fail({ code: 'bad-input', message: 'the backup key is not 32 bytes' });
  if (!(await seedMatches(input.master.seed, input.master.publicKey, ed))) {
    return fail({ code: 'seed-mismatch', message: 'the master key in secret storage is not the published master key' });
  }
  const steps: RepairStep[] = [];
  const notes: string[] = [];
  if (input.existingSecret !== null && input.existingSecret !== undefined && input.previousKey === undefined) {
    const parsed = parseSecretContent(input.existingSecret);
    const others = parsed.ok && parsed.value !== null ? Object.keys(parsed.value.encrypted).filter((id) => id !== ssss.keyId) : [];
    // Under another key it may still be readable by someone: never overwrite a copy we could not keep.
    if (others.length > 0) {
      return fail({ code: 'would-overwrite', message: `${BACKUP_SECRET} is stored under key${others.length === 1 ? '' : 's'} ${others.join(', ')}, which the recovery key given does not open, so it could not be kept aside` });
    }
    notes.push(`The value stored as ${BACKUP_SECRET} now does not decrypt with your recovery key (nobody can read it); it is replaced.`);
  }
  if (input.previousKey !== undefined) {
    const name = `${PREVIOUS_BACKUP_SECRET_PREFIX}${input.previousLabel ?? input.currentVersion ?? 'no-version'}`;
    const content = await secretContentWith(input.existingPrevious ?? null, name, input.previousKey, ssss, 'others');
    steps.push(putSecretStep('keep-previous', `Keep the current backup key under ${name}`, userId, name, content));
    notes.push(`The current backup key stays readable with your recovery key as ${name}; it is never deleted.`);
  }
  const content = await secretContentWith(null, BACKUP_SECRET, encodeBase64(input.privateKey), ssss, 'none');
  steps.push({ ...putSecretStep('store-backup-key', `Store the new backup key in secret storage (key ${ssss.keyId})`, userId, BACKUP_SECRET, content), requires: steps.map((s) => s.id) });
  const publicKey = encodeBase64(curve25519PublicKey(input.privateKey));
  const authData = await signJson({ public_key: publicKey }, { entity: userId, keyId: `ed25519:${input.master.publicKey}`, seed: input.master.seed }, ed);
  steps.push(createBackupStep('create-backup', 'Create the new key backup version (signed by your master key)',
    { algorithm: BACKUP_ALGORITHM, auth_data: authData }, steps.map((s) => s.id)));
  if (input.currentVersion !== undefined) {
    notes.push(`Backup version ${input.currentVersion} stays on the server with the keys it holds; new keys go to the new version.`);
  }
  return ok(finishPlan({
    kind: 'reset-backup', title: 'Start a new key backup', userId, safeguard: 'secret-storage', publicKeys: {}, steps, notes,
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
  if (ids.length === 0) return fail({ code: 'nothing-to-do', message: 'no session to sign out' });
  if (ids.some((id) => typeof id !== 'string' || id === '')) return fail({ code: 'bad-input', message: 'a device ID is empty' });
  const self = input.currentDeviceId;
  if (self !== undefined && ids.includes(self) && input.includingThisSession !== true) {
    return fail({ code: 'bad-input', message: `${self} is this session: signing it out ends this session too, so it needs a second confirmation` });
  }
  const ordered = [...ids.filter((id) => id !== self), ...ids.filter((id) => id === self)];
  const notes = ['Each session is signed out and its keys deleted from the server; the server may ask for your password for each.'];
  if (self !== undefined && ordered.includes(self)) notes.push(`This session (${self}) is signed out last: its access token stops working, so nothing can be read with it afterwards.`);
  return ok(finishPlan({
    kind: 'sign-out-device', title: `Sign out ${ordered.length === 1 ? `session ${ordered[0]}` : `${ordered.length} sessions`}`, userId: input.userId,
    safeguard: 'not-applicable', publicKeys: {},
    steps: ordered.map((id) => deleteDeviceStep(`sign-out-${id}`, `Sign out session ${id}${id === self ? ' (this session)' : ''}`, id)),
    notes,
  }));
}
