/**
 * Repair f: upload keys the user supplied, after validateManualUpload (docs/matrix-api.md#device-signing-upload). If the
 * user also gave seeds and a secret-storage key, the seeds are stored first ("nothing lost");
 * otherwise the user is the one holding the private halves, which the plan notes.
 */
import { ok, type Result } from '../result.ts';
import type { PlanError } from './errors.ts';
import { ROLE, ROLES } from '../roles.ts';
import type { ValidatedManualUpload } from './manual-upload.ts';
import { keepAsideSteps, storeStepId, UPLOAD_STEP_ID, type NewKeysSafeguard } from './plan-new-keys.ts';
import { finishPlan, putSecretStep, uploadKeysStep, type RepairPlan, type RepairStep } from './plans.ts';
import { say } from '../words/say.ts';
import { secretContentWith, seedSecret, storeRefusal, type CheckedSecretStorageKey } from './secrets.ts';

export async function planManualUpload(
  upload: ValidatedManualUpload,
  opts: { secretStorage?: CheckedSecretStorageKey } & Pick<NewKeysSafeguard, 'previousSecrets' | 'leftoverSecrets'> = {},
): Promise<Result<RepairPlan, PlanError>> {
  const steps: RepairStep[] = [];
  const notes: string[] = [];
  const ssss = opts.secretStorage;
  if (ssss !== undefined && !ssss.isDefault) {
    return { ok: false, error: { code: 'bad-secret-storage-key', message: say('core_plan_key_not_default', ssss.keyId) } };
  }
  const refusal = ssss === undefined ? undefined : storeRefusal(ssss);
  if (refusal !== undefined) return { ok: false, error: { code: 'unsafe-secret-storage-key', message: say('core_plan_manual_refusal', refusal) } };
  for (const role of ROLES) {
    const seed = upload.seeds[role];
    if (seed === undefined || ssss === undefined) continue;
    steps.push(...keepAsideSteps(upload.userId, role, opts));
    const content = await secretContentWith(undefined, ROLE[role].secretName, seedSecret(seed), ssss, 'none');
    steps.push(putSecretStep(storeStepId(role), say('core_plan_manual_store_seed', role, ssss.keyId),
      upload.userId, ROLE[role].secretName, content));
  }
  if (!steps.some((s) => s.id.startsWith('store-'))) notes.push(say('core_plan_manual_only_you'));
  if (upload.replacesMaster) notes.push(say('core_plan_manual_replaces_master'));
  const body: Record<string, unknown> = { ...upload.body };
  steps.push(uploadKeysStep(UPLOAD_STEP_ID, say('core_plan_manual_step_publish'), body, steps.map((s) => s.id)));
  return ok(finishPlan({
    kind: 'manual-upload', title: say('core_plan_manual_title'), userId: upload.userId,
    safeguard: steps.length > 1 ? 'secret-storage' : 'not-applicable', publicKeys: { ...upload.publicKeys }, steps, notes,
  }));
}
