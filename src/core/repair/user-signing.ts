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
import { checkCrossSigningKey } from './key-shape.ts';

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
  if (users.length === 0) return fail({ code: 'nothing-to-do', message: 'no one to verify' });
  const body: SignedUsers['body'] = {};
  const signed: SignedUsers['signed'] = [];
  for (const { userId, masterKey } of users) {
    if (userId === me) return fail({ code: 'bad-input', message: 'your own master key is not signed with your user-signing key' });
    if (userId === '__proto__' || Object.prototype.hasOwnProperty.call(body, userId)) {
      return fail({ code: 'bad-input', message: `${userId} is listed twice` });
    }
    const checked = checkCrossSigningKey(masterKey, userId, 'master');
    if (!checked.ok) return fail({ code: 'bad-input', message: `the master key of ${userId} ${checked.error.message}` });
    const { unsigned: _unsigned, ...bare } = checked.value.key as CrossSigningKey & { unsigned?: unknown };
    try {
      const object = await signJson(bare, { entity: me, keyId: `ed25519:${usk.publicKey}`, seed: usk.seed }, ed);
      body[userId] = { [checked.value.publicKey]: object };
    } catch (error) {
      // No canonical form (e.g. a float): no signature over it could verify anyway.
      return fail({ code: 'bad-input', message: `the master key of ${userId} cannot be signed: ${error instanceof Error ? error.message : 'error'}` });
    }
    signed.push({ userId, masterKey: checked.value.publicKey });
  }
  return ok({ body, signed });
}
