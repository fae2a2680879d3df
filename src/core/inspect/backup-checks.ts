/**
 * Checks on the server-side key backup (docs/matrix-api.md#key-backup, checklist item 6 of docs/matrix-api.md#inspector-checklist): who signed
 * its `auth_data`, whether that makes it trusted ("signed by the user's master signing key or by
 * a verified device belonging to the same user"), and whether its decryption key is in secret
 * storage (element-web#29141: a backup whose key is missing from 4S).
 */
import { quote } from '../matrix/json-guards.ts';
import { say } from '../words/say.ts';
import type { Ed25519 } from '../ed25519.ts';
import type { AccountState } from './account-state.ts';
import { ed25519SignerSuffixes, verifySafely } from './check-helpers.ts';
import { problem, quoteInside, type Problem } from './problems.ts';
import { BACKUP_WHAT, readProblems } from './secret-storage-checks.ts';
import type { BackupReport, BackupSignature, DeviceReport } from './report-types.ts';

/** More signatures than this on auth_data are not checked (hostile data). */
const MAX_BACKUP_SIGNATURES = 32;
const BACKUP_SECRET = 'm.megolm_backup.v1';

export interface BackupContext {
  userId: string;
  /** The usable master key and its base64 form, or null. */
  master: Uint8Array | null;
  masterPub: string | null;
  devices: readonly DeviceReport[];
  deviceKeys: ReadonlyMap<string, Uint8Array>;
}

async function checkSignatures(authData: unknown, ctx: BackupContext, ed: Ed25519): Promise<BackupSignature[]> {
  const out: BackupSignature[] = [];
  for (const suffix of ed25519SignerSuffixes(authData, ctx.userId).slice(0, MAX_BACKUP_SIGNATURES)) {
    const keyId = `ed25519:${suffix}`;
    const deviceKey = ctx.deviceKeys.get(suffix);
    if (ctx.master !== null && suffix === ctx.masterPub) {
      out.push({ keyId, signer: 'master', result: await verifySafely(authData, ctx.userId, suffix, ctx.master, ed) });
    } else if (deviceKey !== undefined) {
      out.push({ keyId, signer: 'device', deviceId: suffix, result: await verifySafely(authData, ctx.userId, suffix, deviceKey, ed) });
    } else {
      // An old master key, a deleted device: nothing to check it against.
      out.push({ keyId, signer: 'unknown', result: 'not-checked' });
    }
  }
  return out;
}

/**
 * Check the current backup. `report` is null when there is none (or it could not be read; the
 * problems then say so).
 */
export async function checkBackup(
  state: AccountState, ctx: BackupContext, ed: Ed25519,
): Promise<{ report: BackupReport | null; problems: Problem[] }> {
  const problems = readProblems(BACKUP_WHAT, state.backup);
  const backup = state.backup.value;
  if (backup === null) return { report: null, problems };

  const signatures = await checkSignatures(backup.auth_data, ctx, ed);
  const crossSigned = new Set(ctx.devices.filter((d) => d.crossSigned === 'valid').map((d) => d.deviceId));
  const trustedByMaster = signatures.some((s) => s.signer === 'master' && s.result === 'valid');
  const trusted = trustedByMaster
    || signatures.some((s) => s.signer === 'device' && s.result === 'valid' && crossSigned.has(s.deviceId ?? ''));
  const report: BackupReport = {
    version: backup.version,
    algorithm: backup.algorithm,
    count: backup.count,
    publicKey: backup.auth_data.public_key,
    signatures,
    trustedByMaster,
    trusted,
    matchesSecretStorage: null,
  };

  // Without a usable master the identity problem comes first: a reset re-signs the backup.
  if (!trusted && ctx.master !== null) {
    problems.push(problem('backup-not-trusted',
      say('core_ins_backup_not_trusted', quote(backup.version))));
  } else if (!trustedByMaster && ctx.master !== null) {
    // Spec-valid, but fragile: trust rests on one device staying around and verified, and SDKs
    // sign with the master whenever they have it (js-sdk signObject, docs/matrix-api.md#correct-identity).
    problems.push(problem('backup-not-signed-by-master',
      say('core_ins_backup_device_only', quote(backup.version))));
  }
  const secret = state.secrets.find((s) => s.name === BACKUP_SECRET);
  if (secret !== undefined && secret.value === null && secret.read.status !== 'failed' && secret.parseError === undefined) {
    problems.push(problem('backup-key-missing',
      say('core_ins_backup_key_missing', quoteInside(backup.version), backup.count),
      { subject: BACKUP_SECRET }));
  }
  return { report, problems };
}
