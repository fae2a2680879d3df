/**
 * Signing other people's master keys with my user-signing key: the body of
 * `POST /keys/signatures/upload` (client-server API §Cross-signing, docs/matrix-api.md#signatures-upload).
 * Each master key object is the one /keys/query returned, without `unsigned`, with the
 * signatures it carries kept and mine added: Synapse compares the object, minus `signatures` and
 * `unsigned`, with the stored one ("Key does not match" otherwise) and checks only my signature.
 * The entry's key ID is the master's unpadded public key, not `ed25519:<key>`.
 */
import type { Ed25519 } from '../ed25519.ts';
import type { CrossSigningKey } from '../matrix/types.ts';
import { fail, ok, type Result } from '../result.ts';
import { signJson } from '../signing.ts';
import type { PlanError } from './errors.ts';
import { checkCrossSigningKey, type KeyShapeWhat } from './key-shape.ts';
import type { CoreMessageId } from '../words/core-messages.ts';
import { say } from '../words/say.ts';

/** A shape problem of someone's master key, in one sentence with their user ID. */
const MASTER_OF_SAYS = {
  not_object: 'core_eng_master_of_not_object',
  unexpected_fields: 'core_eng_master_of_unexpected_fields',
  too_deep: 'core_eng_master_of_too_deep',
  user_id: 'core_eng_master_of_user_id',
  usage_not_strings: 'core_eng_master_of_usage_not_strings',
  usage_missing: 'core_eng_master_of_usage_missing',
  usage_also: 'core_eng_master_of_usage_also',
  keys_not_object: 'core_eng_master_of_keys_not_object',
  keys_count: 'core_eng_master_of_keys_count',
  key_id_prefix: 'core_eng_master_of_key_id_prefix',
  key_id_value: 'core_eng_master_of_key_id_value',
  public_key: 'core_eng_master_of_public_key',
  signatures: 'core_eng_master_of_signatures',
} as const satisfies Record<KeyShapeWhat, CoreMessageId>;

/** Someone whose master key I sign: their user ID and the master key object exactly as /keys/query returned it (untrusted). */
export interface UserToSign {
  userId: string;
  masterKey: unknown;
}

/** The signatures/upload body `{ <userId>: { <master public key>: signed master } }`, and who is in it. */
export interface SignedUsers {
  body: Record<string, Record<string, CrossSigningKey>>;
  /** Per user, in the order given: the master public key signed. */
  signed: { userId: string; masterKey: string }[];
}

/**
 * Sign each user's master key with my user-signing key.
 * @param me - My user ID (the signing entity); my own master is never signed this way.
 * @param usk - My user-signing key's seed (PRIVATE) and unpadded base64 public key.
 */
export async function signMasterKeys(
  me: string, users: readonly UserToSign[], usk: { seed: Uint8Array; publicKey: string }, ed: Ed25519,
): Promise<Result<SignedUsers, PlanError>> {
  if (users.length === 0) return fail({ code: 'nothing-to-do', message: say('core_eng_sign_users_nobody') });
  const body: SignedUsers['body'] = {};
  const signed: SignedUsers['signed'] = [];
  for (const { userId, masterKey } of users) {
    if (userId === me) return fail({ code: 'bad-input', message: say('core_eng_sign_users_own_master') });
    if (userId === '__proto__' || Object.prototype.hasOwnProperty.call(body, userId)) {
      return fail({ code: 'bad-input', message: say('core_eng_sign_users_twice', userId) });
    }
    const checked = checkCrossSigningKey(masterKey, userId, 'master');
    if (!checked.ok) return fail({ code: 'bad-input', message: say(MASTER_OF_SAYS[checked.error.words.what], userId, ...checked.error.words.subs) });
    const { unsigned: _unsigned, ...bare } = checked.value.key as CrossSigningKey & { unsigned?: unknown };
    try {
      const object = await signJson(bare, { entity: me, keyId: `ed25519:${usk.publicKey}`, seed: usk.seed }, ed);
      body[userId] = { [checked.value.publicKey]: object };
    } catch (error) {
      // No canonical form (e.g. a float): no signature over it could verify anyway.
      return fail({ code: 'bad-input', message: say('core_eng_sign_users_unsignable', userId, error instanceof Error ? error.message : 'error') });
    }
    signed.push({ userId, masterKey: checked.value.publicKey });
  }
  return ok({ body, signed });
}
