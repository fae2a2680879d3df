/**
 * "Repair this account", up to the plan: inspect → check the secret-storage key → build the plan
 * of the request's kind → hand back the plan and a `dispose()` that wipes the private bytes met
 * on the way. Both front ends call this (the CLI's runRepair, the background's preview); nothing
 * is sent to the homeserver but reads. The plan itself holds only public data and ciphertexts
 * (docs/design.md#repair-plans), so it may outlive `dispose()`.
 */
import { detectEd25519, type Ed25519 } from '../ed25519.ts';
import type { MatrixClient } from '../matrix/client.ts';
import { inspectAccount, targetKeyId } from '../inspect/inspect-account.ts';
import { deriveSecretStorageKey, type SecretStorageKeyInput } from '../inspect/secret-storage-key.ts';
import type { AccountState } from '../inspect/account-state.ts';
import { SECRET_STORAGE_ALGORITHM } from '../secret-storage.ts';
import type { Report } from '../inspect/report-types.ts';
import {
  buildManualUpload, buildReencrypt, buildRegenerate, buildReset, buildResignBackup, buildSignDevices, buildSignUsers, buildStoreFromExport, buildUpload,
  checkKeyInput, findSourceKey, PlanRefusedError, type PlanContext,
} from '../repair/build-plans.ts';
import { encryptKeysExport } from '../repair/export-crypt.ts';
import { buildCreateSecretStorage, buildResetBackup, buildSetDefaultKey, buildSignOut, type BuiltRecoveryPlan } from '../repair/plan-recovery-builders.ts';
import { exportPassphraseProblem } from '../repair/export-passphrase.ts';
import type { RepairPlan } from '../repair/plans.ts';
import type { CheckedSecretStorageKey } from '../repair/secrets.ts';
import { fail, ok, type Result } from '../result.ts';
import { usersToKeep, usersToSign } from './prepare-users.ts';
import { buildFix } from './compose-fix.ts';
import { say } from '../words/say.ts';
import { keyIsSource, keyOptional, wantsExport, type ExportChoice, type RepairRefusal, type RepairRequest } from './repair-request.ts';

export interface RepairSession {
  userId: string;
  deviceId?: string | undefined;
}

export interface PreparedRepair {
  plan: RepairPlan;
  /** The inspection the plan was built on. */
  report: Report;
  /** Extra lines for the preview (what the plan leaves undone, and why). */
  remarks: string[];
  /**
   * create-secret-storage: the new recovery key (PRIVATE), to show the person once and have them
   * confirm they saved it before the plan runs. Never stored.
   */
  recoveryKey?: string;
  /** sign-out-device: the plan signs out this very session (its token dies with the last step). */
  signsOutThisSession?: boolean;
  /** The export file's text (PRIVATE unless `exportEncrypted`), to be saved before the plan runs. */
  exportText?: string;
  exportEncrypted?: boolean;
  /** Zero every private byte met while preparing (seeds, the secret-storage keys). Idempotent. */
  dispose(): void;
}

export interface PrepareOptions {
  ed?: Ed25519;
  /** With an export file: how the person chose to protect it. A passphrase encrypts `exportText` here. */
  exportChoice?: ExportChoice;
}

const given = (input: SecretStorageKeyInput): boolean => input.recoveryKey !== undefined || input.passphrase !== undefined;

/**
 * The refusals that need no server: checked before anything is read, so a front end can refuse
 * at once (the CLI before it even connects).
 */
export function precheckRepair(request: RepairRequest, keyInput: SecretStorageKeyInput, exportChoice?: ExportChoice): RepairRefusal | null {
  const { kind } = request;
  if (!given(keyInput) && !keyOptional(request)) return { code: 'missing-key', kind };
  if (request.kind === 'store-secrets' && request.from === undefined) return { code: 'missing-source', kind };
  if (request.kind === 'verify-user' && (!/^@[^:]+:.+$/.test(request.userId) || request.masterKey.trim() === '')) {
    return { code: 'bad-input', kind, detail: say('core_app_verify_user_input') };
  }
  if ((request.kind === 'create-secret-storage' || request.kind === 'fix') && request.newPassphrase !== undefined) {
    const weak = exportPassphraseProblem(request.newPassphrase);
    if (weak !== null) return { code: 'new-passphrase-weak', kind, detail: weak };
  }
  if (request.kind === 'sign-out-device' && request.deviceIds !== undefined && request.deviceIds.length === 0) {
    return { code: 'bad-input', kind, detail: say('core_app_sign_out_none_named') };
  }
  if (wantsExport(request) && exportChoice !== undefined) {
    if (exportChoice.plaintext === true && exportChoice.passphrase !== undefined) return { code: 'export-passphrase-both', kind };
    if (exportChoice.plaintext !== true) {
      const weak = exportPassphraseProblem(exportChoice.passphrase ?? '');
      if (weak !== null) return { code: 'export-passphrase-weak', kind, detail: weak };
    }
  }
  return null;
}

/** Does `keyId` have a description a key can be checked against (present, of the supported algorithm)? */
function checkable(state: AccountState, keyId: string): boolean {
  const description = state.keyDescriptions.find((d) => d.keyId === keyId)?.value;
  return description !== null && description !== undefined && description.algorithm === SECRET_STORAGE_ALGORITHM;
}

/** The old key of create-secret-storage when nothing describes it: a recovery key only (a passphrase needs the description). */
async function oldKeyUnchecked(keyId: string, input: SecretStorageKeyInput): Promise<{ ok: true; key: CheckedSecretStorageKey } | { ok: false; message: string }> {
  const derived = await deriveSecretStorageKey(input, null);
  if (!derived.ok) return { ok: false, message: derived.error.message };
  if (derived.value.length !== 32) return { ok: false, message: say('core_app_recovery_key_not_32') };
  return { ok: true, key: { keyId, key: derived.value, isDefault: true, proof: { kind: 'unproven', reason: say('core_app_old_key_unproven') } } };
}

/** The one place a repair's kind chooses its builder. `toWipe` receives private bytes met here. */
async function build(client: MatrixClient, request: RepairRequest, ctx: PlanContext, toWipe: Uint8Array[], keyInput: SecretStorageKeyInput): Promise<Result<BuiltRecoveryPlan, RepairRefusal>> {
  switch (request.kind) {
    case 'create-secret-storage':
      return ok(await buildCreateSecretStorage(ctx, { newPassphrase: request.newPassphrase, exportText: request.from?.exportText, seeds: request.seeds }));
    case 'set-default-key': {
      const found = await buildSetDefaultKey(ctx, keyInput);
      if (!found.ok) return fail({ code: found.code, kind: request.kind, detail: found.message, report: ctx.report });
      return ok(found.built);
    }
    case 'reset-backup': return ok(await buildResetBackup(ctx));
    case 'sign-out-device': {
      const self = ctx.deviceId;
      if (self !== undefined && request.deviceIds?.includes(self) === true && request.includingThisSession !== true) {
        return fail({ code: 'this-session', kind: request.kind, detail: say('core_app_is_this_session', self), report: ctx.report });
      }
      return ok(buildSignOut(ctx, { deviceIds: request.deviceIds, includingThisSession: request.includingThisSession }));
    }
    case 'reset-cross-signing': {
      const keep = await usersToKeep(client, ctx.userId, request.keepVerified, request.kind, ctx.report, ctx.ed);
      if (!keep.ok) return keep;
      return ok(await buildReset(ctx, {
        exportKeys: request.exportKeys === true, ...(keep.value === undefined ? {} : { keepVerified: keep.value }),
        ...(request.deviceIds === undefined ? {} : { deviceIds: request.deviceIds }),
      }));
    }
    case 'regenerate-subkeys': {
      // Only a new user-signing key needs people kept; the current one stays valid otherwise.
      const keep = request.userSigning ? await usersToKeep(client, ctx.userId, request.keepVerified, request.kind, ctx.report, ctx.ed) : ok(undefined);
      if (!keep.ok) return keep;
      return ok(await buildRegenerate(ctx, {
        selfSigning: request.selfSigning, userSigning: request.userSigning, exportKeys: request.exportKeys === true,
        ...(keep.value === undefined ? {} : { keepVerified: keep.value }), ...(request.deviceIds === undefined ? {} : { deviceIds: request.deviceIds }),
      }));
    }
    case 'verify-user': case 'reverify-users': {
      const users = await usersToSign(client, ctx.userId, request, ctx.report, ctx.ed);
      if (!users.ok) return users;
      return ok(await buildSignUsers(ctx, request.kind, users.value));
    }
    case 'sign-devices': return ok(await buildSignDevices(ctx, request.deviceIds === undefined ? {} : { deviceIds: request.deviceIds }));
    // Each part through this same switch, on the same inspection; the parts are never `fix` again.
    // Each part on the state the parts before it leave (buildFix projects it), with the key they make or point at.
    case 'fix': return buildFix(ctx, request, (part, partCtx) => (part.kind === 'fix' ? Promise.resolve(fail({ code: 'bad-input', kind: 'fix' })) : build(client, part, partCtx, toWipe, keyInput)));
    case 'resign-backup': return ok(await buildResignBackup(ctx));
    case 'upload-keys': return ok(await buildUpload(ctx));
    case 'manual-upload': return ok(await buildManualUpload(ctx, request.keys));
    case 'store-secrets': {
      const from = request.from!;
      if ('exportText' in from) return ok(await buildStoreFromExport(ctx, from.exportText));
      const source = await findSourceKey(ctx.state, ctx.ssss!, from.key, say('core_app_the_source_key'));
      if (!source.ok) return fail({ code: 'wrong-source-key', kind: request.kind, detail: source.message, report: ctx.report });
      toWipe.push(source.key.key);
      return ok(await buildReencrypt(ctx, source.key));
    }
  }
}

/**
 * Prepare `request` on the account of `session`: its plan, or the refusal saying why there is
 * none. Private bytes are wiped before a refusal returns; on success, by `dispose()`.
 * @throws Whatever the homeserver reads throw (MatrixApiError, ConnectionError): the front end words those.
 */
export async function prepareRepair(
  client: MatrixClient, session: RepairSession, request: RepairRequest, keyInput: SecretStorageKeyInput, opts: PrepareOptions = {},
): Promise<Result<PreparedRepair, RepairRefusal>> {
  const refused = precheckRepair(request, keyInput, opts.exportChoice);
  if (refused !== null) return fail(refused);
  const { kind } = request;
  const ed = opts.ed ?? await detectEd25519();
  // keepKey: the key the report was built with is the one checked and used below (unlock once).
  const inspected = await inspectAccount(client, { userId: session.userId, deviceId: session.deviceId || undefined, secret: keyInput, ed, keepKey: true });
  if (!inspected.ok) return fail({ code: 'key-input', kind, detail: inspected.error.message });
  const { state, report, unlocked } = inspected.value;
  const toWipe: Uint8Array[] = unlocked ? [unlocked.key] : [];
  const wipe = (): void => {
    unlocked?.decryptions.clear();
    for (const bytes of toWipe) bytes.fill(0);
  };
  let success = false;
  try {
    let ssss: CheckedSecretStorageKey | undefined;
    const keyId = given(keyInput) && !keyIsSource(request) ? targetKeyId(state) : null;
    // create-secret-storage reads the old storage when there is one; with none, the key has nothing to open.
    // (A fix may set it up too: composeFix says, per cause, what needs a key that is not there.)
    if (given(keyInput) && !keyIsSource(request) && keyId === null && kind !== 'create-secret-storage' && kind !== 'fix') return fail({ code: 'no-secret-storage', kind, report });
    if (keyId !== null && (kind === 'create-secret-storage' || kind === 'fix') && !checkable(state, keyId)) {
      // The old key has no description to check it against (missing, or an unknown algorithm):
      // it is only read with, and whatever it decrypts is checked against the published keys.
      const old = await oldKeyUnchecked(keyId, keyInput);
      if (!old.ok) return fail({ code: 'key-input', kind, detail: old.message, report });
      ssss = old.key;
      toWipe.push(old.key.key);
    } else if (keyId !== null) {
      const mine = unlocked?.keyId === keyId ? unlocked : undefined;
      const checked = await checkKeyInput(state, keyId, keyInput, mine?.key, mine?.decryptions);
      if (!checked.ok) return fail({ code: 'wrong-key', kind, detail: checked.message, report });
      ssss = checked.key;
      toWipe.push(checked.key.key);
    }
    const ctx: PlanContext = { state, report, userId: session.userId, deviceId: session.deviceId || undefined, ed, ssss };
    let built: Result<BuiltRecoveryPlan, RepairRefusal>;
    try {
      built = await build(client, request, ctx, toWipe, keyInput);
    } catch (error) {
      if (!(error instanceof PlanRefusedError)) throw error;
      return fail({ code: error.code, kind, detail: error.message, report });
    }
    if (!built.ok) return built;
    toWipe.push(...built.value.secrets);
    const { plan, remarks, exportText, recoveryKey } = built.value;
    const prepared: PreparedRepair = { plan, report, remarks, dispose: wipe };
    if (recoveryKey !== undefined) prepared.recoveryKey = recoveryKey;
    if (request.kind === 'sign-out-device' && session.deviceId !== undefined && plan.steps.some((s) => s.kind === 'delete-device' && s.request.segments.at(-1) === session.deviceId)) {
      prepared.signsOutThisSession = true;
    }
    if (exportText !== undefined) {
      const passphrase = opts.exportChoice?.passphrase;
      if (passphrase === undefined) prepared.exportText = exportText;
      else {
        const encrypted = await encryptKeysExport(exportText, passphrase);
        if (!encrypted.ok) return fail({ code: 'export-encrypt-failed', kind, detail: encrypted.error, report });
        prepared.exportText = encrypted.value;
        prepared.exportEncrypted = true;
      }
    }
    success = true;
    return ok(prepared);
  } finally {
    // A refusal or a throw leaves nothing for dispose(): wipe now.
    if (!success) wipe();
  }
}
