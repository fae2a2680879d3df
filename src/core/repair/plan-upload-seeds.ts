/**
 * Publishing the public keys of seeds the user already holds in secret storage (the inspect
 * layer's `upload-keys` repair): e.g. the server lost the keys, or a subkey was never uploaded.
 * The private halves are already stored, so "nothing lost" holds without a store step.
 * Caveat (docs/matrix-api.md#synapse-upload-checks): Synapse answers 500 when a public key it stored before is
 * uploaded again after being replaced; then a reset is the way out.
 */
import type { Ed25519 } from '../ed25519.ts';
import { fail, ok, type Result } from '../result.ts';
import type { PlanError } from './errors.ts';
import { checkCrossSigningKey } from './key-shape.ts';
import { ROLE, ROLES, type KeyRole } from '../roles.ts';
import { crossSigningKeyFromSeed, type CrossSigningKeyPair } from './keys.ts';
import { UPLOAD_STEP_ID } from './plan-new-keys.ts';
import { finishPlan, uploadKeysStep, type RepairPlan } from './plans.ts';
import { say } from '../words/say.ts';

export interface UploadFromSeedsInput {
  userId: string;
  /** Seeds read from secret storage (readSeed), PRIVATE. The master signs the subkeys, so it is required. */
  seeds: { master: Uint8Array; selfSigning?: Uint8Array; userSigning?: Uint8Array };
  /** The master published now (/keys/query), if any. */
  publishedMaster?: unknown;
  ed: Ed25519;
}

/**
 * One `device_signing/upload` (with UIA when it replaces anything, docs/matrix-api.md#synapse-upload-uia) of the keys derived from
 * the seeds. The objects are rebuilt deterministically, so a retry is byte-identical.
 */
export async function planUploadKeysFromSeeds(input: UploadFromSeedsInput): Promise<Result<RepairPlan, PlanError>> {
  const { userId, seeds, ed } = input;
  if (!(seeds?.master instanceof Uint8Array) || seeds.master.length !== 32) return fail({ code: 'bad-input', message: say('core_plan_seeds_master_required') });
  const pairs: Partial<Record<KeyRole, CrossSigningKeyPair>> = { master: await crossSigningKeyFromSeed(userId, 'master', seeds.master, ed) };
  for (const role of ['selfSigning', 'userSigning'] as const) {
    const seed = seeds[role];
    if (seed === undefined) continue;
    if (!(seed instanceof Uint8Array) || seed.length !== 32) return fail({ code: 'bad-input', message: say('core_plan_seeds_not_32_bytes', role) });
    pairs[role] = await crossSigningKeyFromSeed(userId, role, seed, ed, seeds.master);
  }
  const notes = [say('core_plan_seeds_already_stored')];
  if (input.publishedMaster !== undefined && input.publishedMaster !== null) {
    const published = checkCrossSigningKey(input.publishedMaster, userId, 'master');
    if (!published.ok || published.value.publicKey !== pairs.master!.publicKey) {
      notes.push(say('core_plan_seeds_replaces_master'));
    }
  }
  const body: Record<string, unknown> = {};
  const publicKeys: Partial<Record<KeyRole, string>> = {};
  for (const role of ROLES) {
    const pair = pairs[role];
    if (pair === undefined) continue;
    body[ROLE[role].uploadField] = pair.key;
    publicKeys[role] = pair.publicKey;
  }
  return ok(finishPlan({
    kind: 'upload-keys', title: say('core_plan_seeds_title'), userId, safeguard: 'secret-storage',
    publicKeys, steps: [uploadKeysStep(UPLOAD_STEP_ID, say('core_plan_seeds_step_publish'), body, [])], notes,
  }));
}
