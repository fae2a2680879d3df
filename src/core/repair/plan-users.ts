/**
 * Repairs that vouch for other people: sign their master keys with my user-signing key
 * (client-server API §Cross-signing, docs/matrix-api.md#signatures-upload). Three uses:
 * - verify-user: one person whose master key was compared by hand;
 * - reverify-users: people last signed by my replaced user-signing key, master unchanged;
 * - keep-verified: inside a reset or a user-signing-key regeneration, after the upload, the people
 *   my current user-signing key has signed, signed again with the NEW one.
 * One `POST /keys/signatures/upload` each; Synapse answers 200 with per-user failures, which the
 * executor records per user and key (never ignored).
 */
import type { Ed25519 } from '../ed25519.ts';
import { ok, type Result } from '../result.ts';
import { ROLE } from '../roles.ts';
import { publishedKeyForSeed } from './device-signing.ts';
import type { PlanError } from './errors.ts';
import type { CrossSigningKeyPair } from './keys.ts';
import { UPLOAD_STEP_ID } from './plan-new-keys.ts';
import { finishPlan, uploadSignaturesStep, type RepairPlan, type RepairStep } from './plans.ts';
import { signMasterKeys, type UserToSign } from './user-signing.ts';
import { say } from '../words/say.ts';

export type { UserToSign } from './user-signing.ts';

import { KEEP_VERIFIED_STEP_ID, SIGN_USERS_STEP_ID } from './user-step-ids.ts';

export { KEEP_VERIFIED_STEP_ID, SIGN_USERS_STEP_ID } from './user-step-ids.ts';

export interface SignUsersInput {
  kind: 'verify-user' | 'reverify-users';
  /** My user ID. */
  userId: string;
  /** My user-signing seed (PRIVATE), read from `m.cross_signing.user_signing`. */
  userSigningSeed: Uint8Array;
  /** My user-signing key as published (/keys/query): the seed must derive it, or Synapse rejects every signature. */
  publishedUserSigningKey: unknown;
  users: readonly UserToSign[];
  ed: Ed25519;
}

const names = (signed: { userId: string }[]): string => signed.map((s) => s.userId).join(', ');

/** verify-user / reverify-users: one signatures upload with my current user-signing key. */
export async function planSignUsers(input: SignUsersInput): Promise<Result<RepairPlan, PlanError>> {
  const publicKey = await publishedKeyForSeed(input.userId, ROLE.userSigning.usage, input.publishedUserSigningKey, input.userSigningSeed, input.ed);
  if (!publicKey.ok) return publicKey;
  const signed = await signMasterKeys(input.userId, input.users, { seed: input.userSigningSeed, publicKey: publicKey.value }, input.ed);
  if (!signed.ok) return signed;
  const verify = input.kind === 'verify-user';
  const who = names(signed.value.signed);
  return ok(finishPlan({
    kind: input.kind, title: verify ? say('core_rp_plan_verify_user', who) : say('core_rp_plan_reverify_users'),
    userId: input.userId, safeguard: 'not-applicable', publicKeys: { userSigning: publicKey.value },
    steps: [uploadSignaturesStep(SIGN_USERS_STEP_ID, say('core_rp_step_sign_users', who), signed.value.body, [])],
    notes: [verify
      ? say('core_rp_note_verify_only_compared')
      : say('core_rp_note_reverify_same_keys')],
  }));
}

/**
 * The carry-over step of a reset or regeneration: sign `users` with the NEW user-signing key,
 * after the upload that publishes it (Synapse checks the signature against the stored key).
 * @returns No step for an empty list.
 */
export async function keepVerifiedStep(userId: string, users: readonly UserToSign[], newUserSigning: CrossSigningKeyPair, ed: Ed25519): Promise<Result<RepairStep | undefined, PlanError>> {
  if (users.length === 0) return ok(undefined);
  const signed = await signMasterKeys(userId, users, { seed: newUserSigning.seed, publicKey: newUserSigning.publicKey }, ed);
  if (!signed.ok) return signed;
  return ok(uploadSignaturesStep(KEEP_VERIFIED_STEP_ID, say('core_rp_step_keep_verified', names(signed.value.signed)),
    signed.value.body, [UPLOAD_STEP_ID]));
}
