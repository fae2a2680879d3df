/**
 * Repair e: re-sign the key backup's `auth_data` with the current master (docs/matrix-api.md#key-backup):
 * `PUT /room_keys/version/{version}` with `{algorithm, auth_data}`, keeping every other signature
 * except the stale master ones.
 */
import type { Ed25519 } from '../ed25519.ts';
import { ok, type Result } from '../result.ts';
import { resignBackup, type BackupTrust } from './backup-signing.ts';
import { publishedKeyForSeed } from './device-signing.ts';
import type { PlanError } from './errors.ts';
import { finishPlan, putBackupStep, type RepairPlan } from './plans.ts';
import { say } from '../words/say.ts';

export interface ResignBackupInput {
  userId: string;
  /** The master seed (PRIVATE), e.g. read with readSeed from `m.cross_signing.master`. */
  masterSeed: Uint8Array;
  /** The master as published (/keys/query): the seed must derive it. */
  publishedMaster: unknown;
  /** The backup version as from `GET /room_keys/version`. */
  backup: unknown;
  /** The user's device IDs: their signatures are kept. */
  deviceIds: readonly string[];
  /** Evidence that the backup's public key is the user's (see backup-signing.ts). */
  trust: BackupTrust;
  ed: Ed25519;
}

export async function planResignBackup(input: ResignBackupInput): Promise<Result<RepairPlan, PlanError>> {
  const publicKey = await publishedKeyForSeed(input.userId, 'master', input.publishedMaster, input.masterSeed, input.ed);
  if (!publicKey.ok) return publicKey;
  const resigned = await resignBackup({
    userId: input.userId, backup: input.backup, master: { seed: input.masterSeed, publicKey: publicKey.value },
    deviceIds: input.deviceIds, trust: input.trust, ed: input.ed,
  });
  if (!resigned.ok) return resigned;
  const dropped = resigned.value.dropped;
  return ok(finishPlan({
    kind: 'resign-backup', title: say('core_rp_plan_resign_backup'), userId: input.userId, safeguard: 'not-applicable',
    publicKeys: { master: publicKey.value },
    steps: [putBackupStep('resign-backup', say('core_rp_step_resign_backup', resigned.value.version),
      resigned.value.version, resigned.value.body, [])],
    notes: dropped.length === 0 ? [] : [say('core_rp_note_stale_signatures_removed', dropped.join(', '))],
  }));
}
