/**
 * Steps shared by the repairs that publish NEW keys (reset, regenerate subkeys): store the
 * seeds in secret storage, then upload — the "nothing lost" ordering (docs/matrix-api.md#repair-order:
 * js-sdk stores to 4S first, then uploads).
 */
import { fail, ok, type Result } from '../result.ts';
import type { PlanError } from './errors.ts';
import { ROLE, ROLES, type KeyRole } from '../roles.ts';
import type { CrossSigningKeyPair } from './keys.ts';
import { putSecretStep, uploadKeysStep, type RepairStep, type Safeguard } from './plans.ts';
import { secretContentWith, seedSecret, storeRefusal, type CheckedSecretStorageKey } from './secrets.ts';
import { say } from '../words/say.ts';

/** How the private halves of new keys are kept safe before the upload. One is required. */
export interface NewKeysSafeguard {
  /** Store the seeds under this key, which must be the default key and proven (prepareSecretStorageKey, storeRefusal). */
  secretStorage?: CheckedSecretStorageKey;
  /** The user saved the export file of exactly these keys (exportKeysFile) and said so. */
  exportConfirmed?: boolean;
  /**
   * The secrets about to be replaced, as the server holds them (raw account data content, by
   * secret name). Each is copied aside before it is overwritten, so a reset abandoned between
   * the store and the upload never loses the private keys that are still published.
   */
  previousSecrets?: Readonly<Record<string, unknown>>;
  /**
   * Secrets about to be replaced that do NOT hold the published key (typically the new keys of an
   * earlier reset that stopped before its upload). Copied to their own slot, so they never
   * overwrite the previous copy, which must keep holding the key that is still published.
   */
  leftoverSecrets?: Readonly<Record<string, unknown>>;
}

/** Where a replaced secret is kept: its encrypted content, unchanged, under our own type. */
export const PREVIOUS_SECRET_PREFIX = 'dev.xsign-doctor.previous.';
/** Where a replaced secret that was never the published key is kept. */
export const LEFTOVER_SECRET_PREFIX = 'dev.xsign-doctor.unpublished.';

function hasEncrypted(content: unknown): content is Record<string, unknown> {
  return typeof content === 'object' && content !== null && !Array.isArray(content)
    && Object.hasOwn(content, 'encrypted') && typeof (content as Record<string, unknown>).encrypted === 'object';
}

/** The ID of the step that stores a role's new seed: `store-master`, `store-self-signing`, … */
export const storeStepId = (role: KeyRole): string => `store-${ROLE[role].name}`;
export const UPLOAD_STEP_ID = 'upload-keys';

/**
 * The copies of a secret about to be overwritten (see NewKeysSafeguard): still decryptable with
 * the same secret-storage key, because the HKDF info is the secret's name, which the copy records
 * (docs/matrix-api.md#secret-encryption).
 */
export function keepAsideSteps(userId: string, role: KeyRole, kept: Pick<NewKeysSafeguard, 'previousSecrets' | 'leftoverSecrets'>): RepairStep[] {
  const name = ROLE[role].secretName;
  const steps: RepairStep[] = [];
  const previous = kept.previousSecrets?.[name];
  if (hasEncrypted(previous)) {
    steps.push(putSecretStep(`keep-previous-${storeStepId(role)}`, say('core_plan_keep_current_aside', ROLE[role].label, `${PREVIOUS_SECRET_PREFIX}${name}`),
      userId, `${PREVIOUS_SECRET_PREFIX}${name}`, { secret: name, content: previous }));
  }
  const leftover = kept.leftoverSecrets?.[name];
  if (hasEncrypted(leftover)) {
    steps.push(putSecretStep(`keep-unpublished-${storeStepId(role)}`, say('core_plan_keep_unpublished_aside', ROLE[role].label, `${LEFTOVER_SECRET_PREFIX}${name}`),
      userId, `${LEFTOVER_SECRET_PREFIX}${name}`, { secret: name, content: leftover }));
  }
  return steps;
}

/**
 * Store steps (one per key) and ONE `device_signing/upload` step with all the keys (docs/matrix-api.md#synapse-upload-uia point 3),
 * which requires the store steps.
 *
 * @returns The steps and the safeguard; `nothing-lost` if neither safeguard is given;
 *   `bad-secret-storage-key` if the key is not the default key; `unsafe-secret-storage-key` if
 *   nothing may be stored under it (storeRefusal).
 */
export async function storeThenUpload(
  userId: string, pairs: Partial<Record<KeyRole, CrossSigningKeyPair>>, safeguard: NewKeysSafeguard,
): Promise<Result<{ steps: RepairStep[]; safeguard: Safeguard; notes: string[] }, PlanError>> {
  const steps: RepairStep[] = [];
  const notes: string[] = [];
  const roles = ROLES.filter((role) => pairs[role] !== undefined);
  const ssss = safeguard.secretStorage;
  if (ssss !== undefined) {
    if (!ssss.isDefault) {
      return fail({ code: 'bad-secret-storage-key', message: say('core_plan_key_not_default', ssss.keyId) });
    }
    const refusal = storeRefusal(ssss);
    if (refusal !== undefined) return fail({ code: 'unsafe-secret-storage-key', message: say('core_plan_new_keys_refusal', refusal) });
    for (const role of roles) {
      const name = ROLE[role].secretName;
      steps.push(...keepAsideSteps(userId, role, safeguard));
      // 'none': entries under other keys would hold the replaced seed (see secretContentWith).
      const content = await secretContentWith(undefined, name, seedSecret(pairs[role]!.seed), ssss, 'none');
      steps.push(putSecretStep(storeStepId(role), say('core_plan_new_keys_store_step', ROLE[role].label, ssss.keyId),
        userId, name, content));
    }
    notes.push(steps.some((st) => st.id.startsWith('keep-'))
      ? say('core_plan_new_keys_replaced_kept', PREVIOUS_SECRET_PREFIX, LEFTOVER_SECRET_PREFIX)
      : say('core_plan_new_keys_replaced'));
  } else if (safeguard.exportConfirmed !== true) {
    return fail({
      code: 'nothing-lost',
      message: say('core_plan_new_keys_nothing_lost'),
    });
  } else {
    notes.push(say('core_plan_new_keys_only_export'));
  }
  const body: Record<string, unknown> = {};
  for (const role of roles) body[ROLE[role].uploadField] = pairs[role]!.key;
  const what = roles.map((role) => ROLE[role].label).join(', ');
  steps.push(uploadKeysStep(UPLOAD_STEP_ID, say('core_plan_new_keys_publish_step', what),
    body, steps.map((s) => s.id)));
  return ok({ steps, safeguard: ssss !== undefined ? 'secret-storage' : 'export-confirmed', notes });
}
