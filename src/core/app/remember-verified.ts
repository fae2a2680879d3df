/**
 * The people a repair run verified, for the memory of verified master keys
 * (src/core/users/verified-memory.ts): the master keys signed by its sign-users or keep-verified
 * step, once that step is done and the homeserver accepted the signature. Read from the plan the
 * run executed, so nothing is remembered that was not actually uploaded.
 */
import { KEEP_VERIFIED_STEP_ID, SIGN_USERS_STEP_ID } from '../repair/plan-users.ts';
import type { RepairPlan, RepairProgress, SignatureFailure } from '../repair/plans.ts';
import { isJsonObject } from '../result.ts';
import type { VerifiedKey } from '../users/verified-memory.ts';

const USER_STEPS = new Set([SIGN_USERS_STEP_ID, KEEP_VERIFIED_STEP_ID]);
const PREFIX = 'ed25519:';

/** The master keys the run's completed user steps signed, less those the server rejected. */
export function verifiedByRun(plan: RepairPlan, progress: Pick<RepairProgress, 'completedStepIds'>, failures: readonly SignatureFailure[]): VerifiedKey[] {
  const out: VerifiedKey[] = [];
  for (const step of plan.steps) {
    if (!USER_STEPS.has(step.id) || !progress.completedStepIds.includes(step.id)) continue;
    for (const [userId, perKey] of Object.entries(step.request.body)) {
      if (userId === plan.userId || !isJsonObject(perKey)) continue;
      // Keyed by their master public key (docs/matrix-api.md#signing-other-users); `ed25519:` tolerated.
      for (const [keyId, signed] of Object.entries(perKey)) {
        const publicKey = keyId.startsWith(PREFIX) ? keyId.slice(PREFIX.length) : keyId;
        if (!isJsonObject(signed)) continue;
        const usage = signed['usage'];
        const keys = signed['keys'];
        if (!Array.isArray(usage) || !usage.includes('master') || !isJsonObject(keys) || keys[`${PREFIX}${publicKey}`] !== publicKey) continue;
        if (failures.some((f) => f.userId === userId && (f.keyId === keyId || f.keyId === publicKey || f.keyId === `${PREFIX}${publicKey}`))) continue;
        out.push({ userId, masterKey: publicKey });
      }
    }
  }
  return out;
}
