/**
 * Repairs a (reset cross-signing) and b (regenerate the self-signing and/or user-signing key),
 * docs/matrix-api.md#device-signing-upload, docs/matrix-api.md#repair-order, docs/matrix-api.md#key-backup.
 */
import { tryDecodeBase64 } from '../base64.ts';
import type { Ed25519 } from '../ed25519.ts';
import { fail, ok, type Result } from '../result.ts';
import { verifyJsonSignature } from '../signing.ts';
import { resignBackup, type BackupTrust } from './backup-signing.ts';
import { signDevices } from './device-signing.ts';
import type { PlanError } from './errors.ts';
import { checkCrossSigningKey } from './key-shape.ts';
import type { KeyRole } from '../roles.ts';
import type { CrossSigningKeyPair, GeneratedCrossSigningKeys, SubkeysForMaster } from './keys.ts';
import { storeThenUpload, UPLOAD_STEP_ID, type NewKeysSafeguard } from './plan-new-keys.ts';
import { finishPlan, putBackupStep, uploadSignaturesStep, type RepairPlan, type RepairStep } from './plans.ts';
import { keepVerifiedStep, type UserToSign } from './plan-users.ts';
import { say } from '../words/say.ts';

export interface ResetInput extends NewKeysSafeguard {
  /** From generateCrossSigningKeys (export them first if that is the safeguard). */
  keys: GeneratedCrossSigningKeys;
  /** Devices to cross-sign with the new self-signing key (at least this session), as from /keys/query. */
  devices?: readonly unknown[];
  /** Re-sign this backup's auth_data with the new master (docs/matrix-api.md#key-backup). */
  backup?: { version: unknown; trust: BackupTrust; deviceIds: readonly string[] };
  /** People to keep verified: their master keys are signed with the new user-signing key after the upload. */
  keepVerified?: readonly UserToSign[];
  ed: Ed25519;
}

export interface RegenerateInput extends NewKeysSafeguard {
  /** From buildSubkeysForExistingMaster. */
  subkeys: SubkeysForMaster;
  /** The master as published (/keys/query): the new subkeys must be signed by exactly it. */
  publishedMaster: unknown;
  /** Devices to cross-sign with the new self-signing key, if one is regenerated. */
  devices?: readonly unknown[];
  /** With a new user-signing key: people to keep verified (signed with it after the upload). */
  keepVerified?: readonly UserToSign[];
  ed: Ed25519;
}

const RESET_NOTES = [
  say('core_plan_reset_identity_changed'),
  say('core_plan_reset_sessions_unverified'),
];

async function signedByMaster(pair: CrossSigningKeyPair, userId: string, masterPublicKey: string, ed: Ed25519): Promise<boolean> {
  const master = tryDecodeBase64(masterPublicKey);
  return master.ok && (await verifyJsonSignature(pair.key, userId, `ed25519:${masterPublicKey}`, master.value, ed)) === 'valid';
}

async function deviceStep(userId: string, devices: readonly unknown[] | undefined, ssk: CrossSigningKeyPair, ed: Ed25519) {
  if (devices === undefined || devices.length === 0) return ok(undefined);
  const signed = await signDevices(userId, devices, ssk, ed);
  if (!signed.ok) return signed;
  return ok(uploadSignaturesStep('sign-devices', say('core_plan_reset_sign_devices_step', signed.value.deviceIds.join(', ')),
    signed.value.body, [UPLOAD_STEP_ID]));
}

/**
 * Plan a full reset: store (or rely on the export of) the three new seeds, publish all three keys
 * in ONE request with UIA, cross-sign the given devices with the new SSK, optionally re-sign the
 * backup with the new master.
 *
 * @returns The plan, or `nothing-lost` without a safeguard, `bad-input`/`untrusted-backup`…
 */
export async function planResetCrossSigning(input: ResetInput): Promise<Result<RepairPlan, PlanError>> {
  const { keys, ed } = input;
  const userId = keys.userId;
  for (const pair of [keys.selfSigning, keys.userSigning]) {
    if (!(await signedByMaster(pair, userId, keys.master.publicKey, ed))) {
      return fail({ code: 'bad-input', message: say('core_plan_reset_subkeys_not_signed') });
    }
  }
  const base = await storeThenUpload(userId, { master: keys.master, selfSigning: keys.selfSigning, userSigning: keys.userSigning }, input);
  if (!base.ok) return base;
  const steps: RepairStep[] = [...base.value.steps];
  const devices = await deviceStep(userId, input.devices, keys.selfSigning, ed);
  if (!devices.ok) return devices;
  if (devices.value !== undefined) steps.push(devices.value);
  if (input.backup !== undefined) {
    const backup = await resignBackup({
      userId, backup: input.backup.version, master: keys.master, deviceIds: input.backup.deviceIds, trust: input.backup.trust, ed,
    });
    if (!backup.ok) return backup;
    steps.push(putBackupStep('resign-backup', say('core_plan_reset_resign_backup_step', backup.value.version),
      backup.value.version, backup.value.body, [UPLOAD_STEP_ID]));
  }
  const kept = await keepVerifiedStep(userId, input.keepVerified ?? [], keys.userSigning, ed);
  if (!kept.ok) return kept;
  if (kept.value !== undefined) steps.push(kept.value);
  return ok(finishPlan({
    kind: 'reset-cross-signing', title: say('core_plan_reset_title'), userId, safeguard: base.value.safeguard,
    publicKeys: { master: keys.master.publicKey, selfSigning: keys.selfSigning.publicKey, userSigning: keys.userSigning.publicKey },
    steps, notes: [...RESET_NOTES, ...base.value.notes],
  }));
}

/**
 * Plan new self-signing and/or user-signing keys under the existing master: store (or rely on
 * the export), then upload only the new subkeys (signed by the most recently uploaded master,
 * docs/matrix-api.md#cross-signing-key-upload) with UIA, then cross-sign the given devices with a new SSK.
 */
export async function planRegenerateSubkeys(input: RegenerateInput): Promise<Result<RepairPlan, PlanError>> {
  const { subkeys, ed } = input;
  const userId = subkeys.userId;
  const master = checkCrossSigningKey(input.publishedMaster, userId, 'master');
  if (!master.ok) return fail({ code: 'bad-input', message: say('core_plan_regen_published_master_bad', master.error.message) });
  if (master.value.publicKey !== subkeys.masterPublicKey) {
    return fail({ code: 'seed-mismatch', message: say('core_plan_regen_master_seed_mismatch') });
  }
  const pairs: Partial<Record<KeyRole, CrossSigningKeyPair>> = {};
  const publicKeys: Partial<Record<KeyRole, string>> = { master: subkeys.masterPublicKey };
  for (const role of ['selfSigning', 'userSigning'] as const) {
    const pair = subkeys[role];
    if (pair === undefined) continue;
    if (!(await signedByMaster(pair, userId, subkeys.masterPublicKey, ed))) {
      return fail({ code: 'bad-input', message: say('core_plan_regen_subkey_not_signed', role) });
    }
    pairs[role] = pair;
    publicKeys[role] = pair.publicKey;
  }
  if (Object.keys(pairs).length === 0) return fail({ code: 'nothing-to-do', message: say('core_plan_regen_no_new_subkey') });
  const base = await storeThenUpload(userId, pairs, input);
  if (!base.ok) return base;
  const steps = [...base.value.steps];
  if (subkeys.selfSigning !== undefined) {
    const devices = await deviceStep(userId, input.devices, subkeys.selfSigning, ed);
    if (!devices.ok) return devices;
    if (devices.value !== undefined) steps.push(devices.value);
  }
  const keep = input.keepVerified ?? [];
  if (keep.length > 0 && subkeys.userSigning === undefined) return fail({ code: 'bad-input', message: say('core_plan_regen_keep_needs_usk') });
  const kept = subkeys.userSigning === undefined ? ok(undefined) : await keepVerifiedStep(userId, keep, subkeys.userSigning, ed);
  if (!kept.ok) return kept;
  if (kept.value !== undefined) steps.push(kept.value);
  const notes = [...base.value.notes];
  if (subkeys.selfSigning !== undefined) notes.push(say('core_plan_regen_sessions_lose'));
  if (subkeys.userSigning !== undefined) notes.push(keep.length > 0 ? say('core_plan_regen_users_not_kept') : say('core_plan_regen_users_again'));
  return ok(finishPlan({
    kind: 'regenerate-subkeys', title: say('core_plan_regen_title'), userId, safeguard: base.value.safeguard,
    publicKeys, steps, notes,
  }));
}
