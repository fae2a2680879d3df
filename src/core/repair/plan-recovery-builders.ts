/**
 * Building the recovery plans (plan-recovery.ts) from the inspected account: which private keys
 * the tool holds or was given go under a new secret-storage key, which key the person proved for
 * `default_key`, what the new backup is signed with, which sessions are signed out. Called
 * through src/core/app/prepare-repair.ts. Everything private is collected in `secrets` to wipe.
 */
import { decodeBase64, encodeBase64, tryDecodeBase64 } from '../base64.ts';
import { curve25519PublicKey } from '../curve25519.ts';
import { encodeRecoveryKey } from '../recovery-key.ts';
import { ROLE, ROLES } from '../roles.ts';
import { createSecretStorageKeyDescription, deriveKeyFromPassphrase } from '../secret-storage.ts';
import type { SecretStorageKeyInput } from '../inspect/secret-storage-key.ts';
import { publishedKeyForSeed } from './device-signing.ts';
import { parseKeysExportFile } from './export.ts';
import {
  backupKeyFromStorage, checkKeyInput, PlanRefusedError, published, raw, secretContent, seedFromStorage, unwrap,
  type BuiltPlan, type PlanContext,
} from './build-plans.ts';
import {
  BACKUP_SECRET, planCreateSecretStorage, planResetBackup, planSignOutDevices, planSetDefaultKey, PREVIOUS_BACKUP_SECRET_PREFIX,
} from './plan-recovery.ts';
import { readSecret, readSeed, type CheckedSecretStorageKey } from './secrets.ts';
import { say } from '../words/say.ts';

/** PBKDF2 iterations for a new passphrase (Element uses 500 000; docs/matrix-api.md#passphrase-pbkdf2). */
export const NEW_PASSPHRASE_ITERATIONS = 500_000;

/** A plan that also created a recovery key the person must see once (PRIVATE). */
export interface BuiltRecoveryPlan extends BuiltPlan {
  recoveryKey?: string;
  /**
   * The default secret-storage key once the plan ran (PRIVATE bytes, also in `secrets`): what the
   * later parts of a composed fix store under and read from (docs/design.md#composed-fix).
   */
  storesUnder?: CheckedSecretStorageKey;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random ID of `length` letters and digits (key IDs and salts, as Element makes them). */
function randomId(length: number): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(length));
  // 62 symbols: the bias of `% 62` on a byte is irrelevant for an identifier or a salt.
  return Array.from(bytes, (b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
}

const backupPublicKey = (state: PlanContext['state']): string | undefined => {
  const backup = raw(state.backup.read) as { auth_data?: { public_key?: unknown } } | null;
  const key = backup?.auth_data?.public_key;
  return typeof key === 'string' ? key.replace(/=+$/, '') : undefined;
};

const backupVersion = (state: PlanContext['state']): string | undefined => {
  const version = (raw(state.backup.read) as { version?: unknown } | null)?.version;
  return typeof version === 'string' && version !== '' ? version : undefined;
};

/**
 * create-secret-storage: a new key (random, or from `newPassphrase` through PBKDF2), described
 * with its key check, holding every cross-signing key the export file or the old secret storage
 * gives that matches the published key, and the backup key when it matches the backup.
 */
export async function buildCreateSecretStorage(ctx: PlanContext, opts: {
  newPassphrase?: string | undefined; exportText?: string | undefined; seeds?: Partial<Record<(typeof ROLES)[number], string>> | undefined;
}): Promise<BuiltRecoveryPlan> {
  const { state, userId, ed } = ctx;
  const secrets: Uint8Array[] = [];
  const remarks: string[] = [];
  const fromExport: Partial<Record<(typeof ROLES)[number], Uint8Array>> = {};
  if (opts.exportText !== undefined) {
    const imported = await parseKeysExportFile(opts.exportText, ed);
    if (!imported.ok) throw new PlanRefusedError('bad-input', say('core_plan_export_file_bad', imported.error));
    secrets.push(...Object.values(imported.value.seeds));
    if (imported.value.userId !== userId) throw new PlanRefusedError('bad-input', say('core_plan_export_file_other_user', imported.value.userId, userId));
    Object.assign(fromExport, imported.value.seeds);
  }
  // Seeds the person gives one by one win over the export file's.
  for (const role of ROLES) {
    const text = opts.seeds?.[role]?.trim();
    if (text === undefined || text === '') continue;
    const bytes = tryDecodeBase64(text.replace(/\s+/g, ''));
    if (!bytes.ok || bytes.value.length !== 32) throw new PlanRefusedError('bad-input', say('core_rp_given_key_not_base64_seed', ROLE[role].name));
    secrets.push(bytes.value);
    fromExport[role] = bytes.value;
  }
  const pub = published(state, userId);
  const toStore: { name: string; plaintext: string; existing: unknown }[] = [];
  for (const role of ROLES) {
    const name = ROLE[role].secretName;
    let seed = fromExport[role];
    if (seed === undefined && ctx.ssss !== undefined) {
      const stored = await readSeed(secretContent(state, name), name, ctx.ssss);
      if (stored.ok) { seed = stored.value; secrets.push(seed); }
    }
    if (seed === undefined) {
      const why = ctx.ssss === undefined ? say('core_rp_why_give_export_or_old_key') : say('core_rp_why_old_key_does_not_open');
      if (pub[role] !== undefined) remarks.push(say('core_rp_remark_private_key_not_stored', ROLE[role].name, why));
      continue;
    }
    const matches = await publishedKeyForSeed(userId, ROLE[role].usage, pub[role], seed, ed);
    if (!matches.ok) {
      remarks.push(say('core_rp_remark_given_private_key_not_stored', ROLE[role].name, matches.error.message));
      continue;
    }
    toStore.push({ name, plaintext: encodeBase64(seed), existing: secretContent(state, name) });
  }
  const backupKey = await backupKeyFromStorage(ctx, secrets);
  const wanted = backupPublicKey(state);
  if (backupKey !== undefined && wanted !== undefined && encodeBase64(curve25519PublicKey(backupKey)) === wanted) {
    toStore.push({ name: BACKUP_SECRET, plaintext: encodeBase64(backupKey), existing: secretContent(state, BACKUP_SECRET) });
  } else if (wanted !== undefined) {
    remarks.push(say('core_rp_remark_backup_key_not_held'));
  }

  let key: Uint8Array;
  let passphrase: { salt: string; iterations: number } | undefined;
  if (opts.newPassphrase !== undefined) {
    passphrase = { salt: randomId(32), iterations: NEW_PASSPHRASE_ITERATIONS };
    key = await deriveKeyFromPassphrase(opts.newPassphrase, passphrase.salt, passphrase.iterations);
  } else {
    key = globalThis.crypto.getRandomValues(new Uint8Array(32));
  }
  secrets.push(key);
  const keyId = randomId(32);
  const description = await createSecretStorageKeyDescription(key, passphrase === undefined ? {} : { passphrase });
  const checked: CheckedSecretStorageKey = { keyId, key, isDefault: true, proof: { kind: 'key-check' }, ...(passphrase === undefined ? {} : { pbkdf2Iterations: passphrase.iterations }) };
  const plan = unwrap(await planCreateSecretStorage({
    userId, key: checked, description, secrets: toStore, previousDefault: state.defaultKey.value?.key ?? undefined,
  }));
  return { plan, secrets, remarks, recoveryKey: encodeRecoveryKey(key), storesUnder: checked };
}

/**
 * set-default-key: the key description `input` opens with a matching key check. `wrong` is the
 * reason in words when none does (the front end's wrong-key refusal).
 */
export async function buildSetDefaultKey(ctx: PlanContext, input: SecretStorageKeyInput): Promise<{ ok: true; built: BuiltRecoveryPlan } | { ok: false; code: 'wrong-key' | 'no-secret-storage'; message: string }> {
  const { state, userId } = ctx;
  const candidates = state.keyDescriptions.filter((d) => d.value !== null);
  if (candidates.length === 0) return { ok: false, code: 'no-secret-storage', message: say('core_rp_no_secret_storage_key_described') };
  const reasons: string[] = [];
  for (const d of candidates) {
    const checked = await checkKeyInput(state, d.keyId, input);
    if (!checked.ok) { reasons.push(checked.message); continue; }
    if (checked.key.proof.kind === 'key-check') {
      const secrets = [checked.key.key];
      return { ok: true, built: { plan: unwrap(planSetDefaultKey(userId, checked.key)), secrets, remarks: [], storesUnder: { ...checked.key, isDefault: true } } };
    }
    reasons.push(say('core_rp_reason_key_without_check', d.keyId));
    checked.key.key.fill(0);
  }
  return { ok: false, code: 'wrong-key', message: say('core_rp_key_matches_none', reasons.join('; ')) };
}

/** reset-backup: a new backup key, stored (the old one kept aside) before the version that needs it is created. */
export async function buildResetBackup(ctx: PlanContext): Promise<BuiltPlan> {
  const { state, userId, ed } = ctx;
  const ssss = ctx.ssss!;
  const secrets: Uint8Array[] = [];
  const remarks: string[] = [];
  const pub = published(state, userId);
  const masterPublicKey = pub.master === undefined ? undefined : Object.values(pub.master.keys ?? {})[0];
  if (typeof masterPublicKey !== 'string') throw new PlanRefusedError('bad-input', say('core_rp_no_master_for_backup'));
  const masterSeed = await seedFromStorage(ctx, ROLE.master.secretName, secrets);
  const existing = secretContent(state, BACKUP_SECRET);
  let previousKey: string | undefined;
  if (existing !== null) {
    const text = await readSecret(existing, BACKUP_SECRET, ssss);
    if (text.ok) previousKey = text.value;
  }
  const currentVersion = backupVersion(state);
  // Named after the version it opens; a key no current version uses gets a name of its own.
  let previousLabel: string | undefined;
  if (previousKey !== undefined) {
    let publicKey: string | undefined;
    try {
      const bytes = decodeBase64(previousKey.trim());
      if (bytes.length === 32) publicKey = encodeBase64(curve25519PublicKey(bytes));
      bytes.fill(0);
    } catch { /* not a key: named as one no version uses */ }
    previousLabel = publicKey !== undefined && publicKey === backupPublicKey(state) && currentVersion !== undefined
      ? currentVersion : `no-version-${(publicKey ?? 'unreadable').replace(/[^A-Za-z0-9]/g, '').slice(0, 12)}`;
    if (previousLabel !== currentVersion) {
      remarks.push(say('core_rp_remark_previous_opens_no_version', `${PREVIOUS_BACKUP_SECRET_PREFIX}${previousLabel}`));
    }
  }
  const privateKey = globalThis.crypto.getRandomValues(new Uint8Array(32));
  secrets.push(privateKey);
  const plan = unwrap(await planResetBackup({
    userId, secretStorage: ssss, privateKey, master: { seed: masterSeed, publicKey: masterPublicKey },
    currentVersion, previousLabel, existingSecret: existing, previousKey, existingPrevious: null, ed,
  }));
  remarks.push(say('core_rp_remark_backup_signed_by_master'));
  return { plan, secrets, remarks };
}

/**
 * sign-out-device: the chosen devices (default: every one a problem says cannot be trusted).
 * A device must be one of the account's; this session only with `includingThisSession`.
 */
export function buildSignOut(ctx: PlanContext, opts: { deviceIds?: string[] | undefined; includingThisSession?: boolean | undefined }): BuiltPlan {
  const { report, userId } = ctx;
  const known = new Set([...report.devices.map((d) => d.deviceId), ...Object.keys(published(ctx.state, userId).devices)]);
  let ids = opts.deviceIds;
  const remarks: string[] = [];
  if (ids === undefined) {
    ids = [...new Set(report.problems.filter((p) => p.repair === 'sign-out-device' && p.subject !== undefined).map((p) => p.subject!))];
    // Chosen by default, this session is still only signed out when the person confirmed it.
    if (ctx.deviceId !== undefined && ids.includes(ctx.deviceId) && opts.includingThisSession !== true) {
      ids = ids.filter((id) => id !== ctx.deviceId);
      remarks.push(say('core_rp_remark_this_session_untrusted', ctx.deviceId));
    }
    if (ids.length === 0) throw new PlanRefusedError('nothing-to-do', say(remarks.length > 0 ? 'core_rp_no_other_untrusted_session' : 'core_rp_no_untrusted_session'));
  } else {
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new PlanRefusedError('bad-input', say('core_rp_no_such_session', unknown.join(', ')));
  }
  const plan = unwrap(planSignOutDevices({ userId, deviceIds: ids, currentDeviceId: ctx.deviceId, includingThisSession: opts.includingThisSession === true }));
  return { plan, secrets: [], remarks };
}
