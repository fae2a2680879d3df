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
import { secretContentWith, seedSecret, storeRefusal, type CheckedSecretStorageKey } from './secrets.ts';

export async function planManualUpload(
  upload: ValidatedManualUpload,
  opts: { secretStorage?: CheckedSecretStorageKey } & Pick<NewKeysSafeguard, 'previousSecrets' | 'leftoverSecrets'> = {},
): Promise<Result<RepairPlan, PlanError>> {
  const steps: RepairStep[] = [];
  const notes: string[] = [];
  const ssss = opts.secretStorage;
  if (ssss !== undefined && !ssss.isDefault) {
    return { ok: false, error: { code: 'bad-secret-storage-key', message: `key ${ssss.keyId} is not the default secret-storage key` } };
  }
  const refusal = ssss === undefined ? undefined : storeRefusal(ssss);
  if (refusal !== undefined) return { ok: false, error: { code: 'unsafe-secret-storage-key', message: `${refusal}; the seeds are not stored under it` } };
  for (const role of ROLES) {
    const seed = upload.seeds[role];
    if (seed === undefined || ssss === undefined) continue;
    steps.push(...keepAsideSteps(upload.userId, role, opts));
    const content = await secretContentWith(undefined, ROLE[role].secretName, seedSecret(seed), ssss, 'none');
    steps.push(putSecretStep(storeStepId(role), `Store the ${role} seed you gave in secret storage (key ${ssss.keyId})`,
      upload.userId, ROLE[role].secretName, content));
  }
  if (!steps.some((s) => s.id.startsWith('store-'))) notes.push('Only you hold the private keys of these public keys.');
  if (upload.replacesMaster) notes.push('This replaces your master key: everyone who verified you must verify you again.');
  const body: Record<string, unknown> = { ...upload.body };
  steps.push(uploadKeysStep(UPLOAD_STEP_ID, 'Publish the keys you supplied', body, steps.map((s) => s.id)));
  return ok(finishPlan({
    kind: 'manual-upload', title: 'Upload cross-signing keys', userId: upload.userId,
    safeguard: steps.length > 1 ? 'secret-storage' : 'not-applicable', publicKeys: { ...upload.publicKeys }, steps, notes,
  }));
}
