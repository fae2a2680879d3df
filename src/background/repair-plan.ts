/**
 * The popup's repairPreview message as a RepairRequest, prepared by the core (src/core/app/):
 * the recovery key or passphrase is used for this call only, and every private byte met while
 * preparing is wiped before this returns, so a flow never holds a private key — only the plan
 * (public data and ciphertexts) and, for an export-file safeguard, the export text the popup
 * offers once (encrypted under the passphrase the popup sent, unless the user chose plaintext
 * after a warning).
 */
import type { MatrixClient } from '../core/matrix/client.ts';
import type { SecretStorageKeyInput } from '../core/inspect/secret-storage-key.ts';
import { precheckRepair, prepareRepair } from '../core/app/prepare-repair.ts';
import { describeRefusal, type RepairRequest } from '../core/app/repair-request.ts';
import type { RepairPlan } from '../core/repair/plans.ts';
import type { Protocol } from '../ext/protocol.ts';

export type PreviewRequest = Protocol['repairPreview']['req'];

export class RepairFlowError extends Error {
  override name = 'RepairFlowError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** The message's fields as the request of its kind (the validator already checked each field's shape). */
export function requestOf(req: PreviewRequest): RepairRequest {
  const exportKeys = req.exportKeys === true ? { exportKeys: true } : {};
  const devices = req.deviceIds === undefined ? {} : { deviceIds: req.deviceIds };
  const keep = req.keepAllVerified === true ? { keepVerified: 'all' as const } : req.keepVerified === undefined ? {} : { keepVerified: req.keepVerified };
  switch (req.kind) {
    case 'reset-cross-signing': return { kind: req.kind, ...exportKeys, ...keep, ...devices };
    case 'regenerate-subkeys': {
      const which = req.subkeys ?? ['selfSigning', 'userSigning'];
      return { kind: req.kind, selfSigning: which.includes('selfSigning'), userSigning: which.includes('userSigning'), ...exportKeys, ...keep, ...devices };
    }
    case 'fix': return {
      kind: req.kind, ...exportKeys, ...keep, ...devices, ...(req.newPassphrase === undefined ? {} : { newPassphrase: req.newPassphrase }),
      ...(req.exportFileText === undefined ? {} : { from: { exportText: req.exportFileText } }),
    };
    // Absent fields become empty ones, which precheckRepair refuses in words.
    case 'verify-user': return { kind: req.kind, userId: req.userId ?? '', masterKey: req.masterKey ?? '' };
    case 'reverify-users': return { kind: req.kind, ...(req.userIds === undefined ? {} : { userIds: req.userIds }) };
    case 'sign-devices': return { kind: req.kind, ...devices };
    case 'store-secrets': return { kind: req.kind, ...(req.sourceRecoveryKey === undefined ? {} : { from: { key: { recoveryKey: req.sourceRecoveryKey } } }) };
    case 'manual-upload': return { kind: req.kind, keys: req.manualKeys ?? {} };
    case 'create-secret-storage': return {
      kind: req.kind, ...(req.newPassphrase === undefined ? {} : { newPassphrase: req.newPassphrase }),
      ...(req.exportFileText === undefined ? {} : { from: { exportText: req.exportFileText } }),
    };
    case 'sign-out-device': return {
      kind: req.kind, ...(req.deviceIds === undefined ? {} : { deviceIds: req.deviceIds }), ...(req.includingThisSession === true ? { includingThisSession: true } : {}),
    };
    case 'resign-backup': case 'upload-keys': case 'set-default-key': case 'reset-backup': return { kind: req.kind };
  }
}

/**
 * The plan for a preview request, or a RepairFlowError with the refusal in the popup's words.
 * Nothing is sent to the homeserver but reads.
 */
export async function planFlow(
  deps: { client: (sessionId: string) => Promise<MatrixClient>; session: (sessionId: string) => Promise<{ userId: string; deviceId: string }> },
  req: PreviewRequest,
): Promise<{ plan: RepairPlan; remarks: string[]; exportText?: string; exportEncrypted?: boolean; recoveryKey?: string }> {
  const secret: SecretStorageKeyInput = {};
  if (req.recoveryKey !== undefined) secret.recoveryKey = req.recoveryKey;
  if (req.passphrase !== undefined) secret.passphrase = req.passphrase;
  const request = requestOf(req);
  const exportChoice = {
    ...(req.exportPassphrase === undefined ? {} : { passphrase: req.exportPassphrase }),
    ...(req.exportPlaintext === true ? { plaintext: true } : {}),
  };
  // Refusals that need no server come first: a missing key is said before the session is touched.
  const early = precheckRepair(request, secret, exportChoice);
  if (early !== null) throw new RepairFlowError(early.code, describeRefusal(early, { name: 'popup' }));
  const session = await deps.session(req.sessionId);
  const client = await deps.client(req.sessionId);
  const prepared = await prepareRepair(client, session, request, secret, { exportChoice });
  if (!prepared.ok) throw new RepairFlowError(prepared.error.code, describeRefusal(prepared.error, { name: 'popup' }));
  // The plan holds only public data and ciphertexts: no private key outlives the preview.
  prepared.value.dispose();
  const { plan, remarks, exportText, exportEncrypted, recoveryKey } = prepared.value;
  return {
    plan, remarks, ...(exportText === undefined ? {} : { exportText }), ...(exportEncrypted === true ? { exportEncrypted } : {}),
    // Shown once by the popup (never stored): the person saves it before the plan may run.
    ...(recoveryKey === undefined ? {} : { recoveryKey }),
  };
}
