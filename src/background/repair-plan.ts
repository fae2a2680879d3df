/**
 * Building a repair's plan for the background, at preview time: the recovery key or passphrase is
 * checked against its key description, the plan is built with the builders shared with the CLI
 * (src/core/repair/build-plans.ts), and every private byte met on the way is wiped before this
 * returns, so a flow never holds a private key — only the plan (public data and ciphertexts) and,
 * for an export-file safeguard, the export text the popup offers once (encrypted under the
 * passphrase the popup sent with the request, unless the user chose plaintext after a warning).
 */
import { detectEd25519 } from '../core/ed25519.ts';
import type { MatrixClient } from '../core/matrix/client.ts';
import { inspectAccount, targetKeyId } from '../core/inspect/inspect-account.ts';
import type { SecretStorageKeyInput } from '../core/inspect/secret-storage-key.ts';
import {
  buildManualUpload, buildReencrypt, buildRegenerate, buildReset, buildResignBackup, buildSignDevices, buildUpload, checkKeyInput, findSourceKey, PlanRefusedError,
  type BuiltPlan, type PlanContext,
} from '../core/repair/build-plans.ts';
import { encryptKeysExport } from '../core/repair/export-crypt.ts';
import { exportPassphraseProblem } from '../core/repair/export-passphrase.ts';
import type { CheckedSecretStorageKey } from '../core/repair/secrets.ts';
import type { ExtRepairKind, Protocol } from '../ext/protocol.ts';

export type PreviewRequest = Protocol['repairPreview']['req'];

export class RepairFlowError extends Error {
  override name = 'RepairFlowError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** `toWipe` receives private bytes met while building (the source key of store-secrets). */
async function build(kind: ExtRepairKind, ctx: PlanContext, opts: PreviewRequest, toWipe: Uint8Array[]): Promise<BuiltPlan> {
  // The popup offers the export text as a download.
  const exportOpt = { exportKeys: opts.exportKeys === true };
  switch (kind) {
    case 'sign-devices': return buildSignDevices(ctx, opts.deviceIds === undefined ? {} : { deviceIds: opts.deviceIds });
    case 'reset-cross-signing': return buildReset(ctx, exportOpt);
    case 'regenerate-subkeys': {
      const which = opts.subkeys ?? ['selfSigning', 'userSigning'];
      return buildRegenerate(ctx, { selfSigning: which.includes('selfSigning'), userSigning: which.includes('userSigning'), ...exportOpt });
    }
    case 'manual-upload': return buildManualUpload(ctx, opts.manualKeys ?? {});
    case 'resign-backup': return buildResignBackup(ctx);
    case 'upload-keys': return buildUpload(ctx);
    case 'store-secrets': {
      if (opts.sourceRecoveryKey === undefined) {
        throw new RepairFlowError('missing-key', 'Enter the recovery key of the other secret-storage key the secrets are held under.');
      }
      const source = await findSourceKey(ctx.state, ctx.ssss!, { recoveryKey: opts.sourceRecoveryKey }, 'the source recovery key');
      if (!source.ok) throw new RepairFlowError('wrong-key', source.message);
      toWipe.push(source.key.key);
      return buildReencrypt(ctx, source.key);
    }
  }
}

/**
 * The plan for a preview request, or a RepairFlowError saying why there is none (a missing or
 * wrong key, nothing to do, a refused plan). Nothing is sent to the homeserver but reads.
 */
export async function planFlow(
  deps: { client: (sessionId: string) => Promise<MatrixClient>; session: (sessionId: string) => Promise<{ userId: string; deviceId: string }> },
  req: PreviewRequest,
): Promise<BuiltPlan & { exportEncrypted?: boolean }> {
  const secret: SecretStorageKeyInput = {};
  if (req.recoveryKey !== undefined) secret.recoveryKey = req.recoveryKey;
  if (req.passphrase !== undefined) secret.passphrase = req.passphrase;
  const keyGiven = secret.recoveryKey !== undefined || secret.passphrase !== undefined;
  // Without secret storage: a reset is safe with the export file, and a manual upload publishes keys the user already holds.
  const keyOptional = req.kind === 'manual-upload' || (req.kind === 'reset-cross-signing' && req.exportKeys === true);
  if (!keyGiven && !keyOptional) {
    throw new RepairFlowError('missing-key', req.kind === 'reset-cross-signing'
      ? 'A reset creates new private keys: enter your recovery key so they are stored in secret storage before anything is published, or choose to save them in an export file.'
      : 'Enter your recovery key (or passphrase): the private key this repair needs is read from secret storage.');
  }
  // An export file is encrypted unless the user explicitly chose plaintext: checked before any read.
  const wantsExport = req.exportKeys === true && (req.kind === 'reset-cross-signing' || req.kind === 'regenerate-subkeys');
  if (wantsExport) {
    if (req.exportPlaintext === true && req.exportPassphrase !== undefined) {
      throw new RepairFlowError('bad-input', 'Either a passphrase for the export file or the unencrypted file, not both.');
    }
    if (req.exportPlaintext !== true) {
      const weak = exportPassphraseProblem(req.exportPassphrase ?? '');
      if (weak !== null) {
        throw new RepairFlowError('export-passphrase', `Choose a passphrase for the export file: ${weak} (or tick the warning to save it unencrypted).`);
      }
    }
  }
  const { userId, deviceId } = await deps.session(req.sessionId);
  const client = await deps.client(req.sessionId);
  const ed = await detectEd25519();
  const inspected = await inspectAccount(client, { userId, deviceId: deviceId || undefined, secret, ed });
  if (!inspected.ok) throw new RepairFlowError(inspected.error.code, inspected.error.message);
  const { state, report } = inspected.value;
  const toWipe: Uint8Array[] = [];
  let ssss: CheckedSecretStorageKey | undefined;
  if (keyGiven) {
    const keyId = targetKeyId(state);
    if (keyId === null) throw new RepairFlowError('no-secret-storage', 'The account has no secret storage to check the recovery key against.');
    const checked = await checkKeyInput(state, keyId, secret);
    if (!checked.ok) throw new RepairFlowError('wrong-key', checked.message);
    ssss = checked.key;
    toWipe.push(checked.key.key);
  }
  try {
    const built = await build(req.kind, { state, report, userId, deviceId: deviceId || undefined, ed, ssss }, req, toWipe);
    toWipe.push(...built.secrets);
    if (built.exportText !== undefined && req.exportPassphrase !== undefined) {
      const encrypted = await encryptKeysExport(built.exportText, req.exportPassphrase);
      if (!encrypted.ok) throw new RepairFlowError('export-passphrase', `Cannot encrypt the export file: ${encrypted.error}.`);
      return { ...built, exportText: encrypted.value, exportEncrypted: true };
    }
    return built;
  } catch (error) {
    if (error instanceof PlanRefusedError) {
      // An unproven or weak secret-storage key leaves the export file as the only safeguard: name the popup's box.
      const hint = error.code === 'unsafe-secret-storage-key' && (req.kind === 'reset-cross-signing' || req.kind === 'regenerate-subkeys')
        ? ' (tick "Also save the new private keys in an export file" and preview again)' : '';
      throw new RepairFlowError(error.code, error.code === 'nothing-to-do' ? `Nothing to do: ${error.message}.` : `Cannot plan this repair: ${error.message}${hint}. Nothing was sent.`);
    }
    throw error;
  } finally {
    // The plan holds only public data and ciphertexts: no private key outlives the preview.
    for (const bytes of toWipe) bytes.fill(0);
  }
}
