/**
 * Classify one user from my point of view (docs/matrix-api.md#user-verification): which of my
 * signatures sit on their published master key, and which of them verify.
 *
 * Everything read here is untrusted server JSON. Nothing throws on it: a malformed key, signature
 * or key ID only changes the verdict, and signatures are checked on the master key exactly as
 * received (docs/design.md#crypto).
 */
import { tryDecodeBase64 } from '../base64.ts';
import type { Ed25519 } from '../ed25519.ts';
import { isJsonObject } from '../result.ts';
import { verifyJsonSignature } from '../signing.ts';
import { formatFingerprint } from './fingerprint.ts';
import type { MyKeys, SignatureDetail, UserSource, UserState, UserVerification } from './types.ts';
import { say } from '../words/say.ts';

/** A hostile server could attach thousands of "signatures of mine"; real ones are one or two. */
export const MAX_SIGNATURES_CHECKED = 8;

const ED25519_PREFIX = 'ed25519:';
const PUBLIC_KEY_LENGTH = 32;

/** What keys/query said about one user. */
export interface UserKeysInput {
  userId: string;
  /** `master_keys[userId]` as received (already shape-checked by the parser), or undefined. */
  master: unknown;
  /** Set when the parser dropped their master key as malformed: the key may exist. */
  masterUnreadable?: string;
  /** Set when their homeserver did not answer keys/query (`failures`): nothing can be said. */
  serverFailed?: boolean;
  sources: UserSource[];
  /** A master key the caller remembers having verified for them (for `identity-changed`). */
  previouslyVerified?: string;
}

const has = (o: Record<string, unknown>, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** The master public key of `master` for `userId`, or why there is none usable. */
export function masterPublicKey(master: unknown, userId: string): { key: string } | { problem: string } {
  if (!isJsonObject(master)) return { problem: say('core_ins_master_not_object') };
  if (master['user_id'] !== userId) return { problem: say('core_ins_master_other_user') };
  const usage = master['usage'];
  if (!Array.isArray(usage) || !usage.includes('master')) return { problem: say('core_ins_master_not_master_use') };
  const keys = master['keys'];
  if (!isJsonObject(keys)) return { problem: say('core_ins_master_no_keys') };
  const entries = Object.entries(keys);
  if (entries.length !== 1) return { problem: say('core_ins_master_key_count', entries.length) };
  const [keyId, value] = entries[0]!;
  if (typeof value !== 'string' || keyId !== `${ED25519_PREFIX}${value}`) {
    return { problem: say('core_ins_master_id_mismatch') };
  }
  if (!isPublicKey(value)) return { problem: say('core_ins_master_not_ed25519') };
  return { key: value };
}

function isPublicKey(text: string): boolean {
  const decoded = tryDecodeBase64(text);
  return decoded.ok && decoded.value.length === PUBLIC_KEY_LENGTH;
}

/**
 * My signatures on their master key, checked. A key ID naming my current user-signing key is
 * checked with it; any other `ed25519:<32-byte key>` with the key it names (the homeserver
 * checked it against my user-signing key of the time when it was uploaded, so a valid one is a
 * signature by a key I have replaced). My master and self-signing keys never vouch for others.
 */
async function mySignatures(master: Record<string, unknown>, me: string, keys: MyKeys, ed: Ed25519): Promise<SignatureDetail[]> {
  const signatures = has(master, 'signatures') ? master['signatures'] : undefined;
  if (!isJsonObject(signatures) || !has(signatures, me)) return [];
  const mine = signatures[me];
  if (!isJsonObject(mine)) return [];
  const out: SignatureDetail[] = [];
  for (const keyId of Object.keys(mine).slice(0, MAX_SIGNATURES_CHECKED)) {
    const publicKey = keyId.startsWith(ED25519_PREFIX) ? keyId.slice(ED25519_PREFIX.length) : '';
    const by = publicKey !== '' && publicKey === keys.userSigningKey ? 'current-user-signing-key' : 'other-key';
    if (publicKey === '' || publicKey === keys.masterKey || publicKey === keys.selfSigningKey) {
      out.push({ keyId, by, result: 'unverifiable' });
      continue;
    }
    const decoded = tryDecodeBase64(publicKey);
    if (!decoded.ok || decoded.value.length !== PUBLIC_KEY_LENGTH) {
      out.push({ keyId, by, result: 'unverifiable' });
      continue;
    }
    const check = await verifyJsonSignature(master, me, keyId, decoded.value, ed);
    out.push({ keyId, by, result: check === 'valid' ? 'valid' : 'invalid' });
  }
  return out;
}

/**
 * One user's {@link UserVerification}.
 *
 * @param me - My user ID and keys (from the account inspection).
 * @throws Never on server data.
 */
export async function classifyUser(input: UserKeysInput, me: { userId: string; keys: MyKeys }, ed: Ed25519): Promise<UserVerification> {
  const base = { userId: input.userId, sources: [...input.sources] };
  const result = (state: UserState, masterKey: string | null, signatures: SignatureDetail[], note?: string): UserVerification => {
    const out: UserVerification = {
      ...base, masterKey, fingerprint: masterKey === null ? null : formatFingerprint(masterKey), state, signatures,
    };
    if (note !== undefined) out.note = note;
    return out;
  };
  if (input.master === undefined) {
    if (input.masterUnreadable !== undefined) return result('not-verified', null, [], say('core_ins_master_unreadable', input.masterUnreadable));
    if (input.serverFailed === true) return result('not-verified', null, [], say('core_ins_their_server_silent'));
    return result('no-identity', null, []);
  }
  const key = masterPublicKey(input.master, input.userId);
  if ('problem' in key) return result('not-verified', null, [], key.problem);
  const signatures = await mySignatures(input.master as Record<string, unknown>, me.userId, me.keys, ed);
  const valid = (by: SignatureDetail['by']) => signatures.some((s) => s.by === by && s.result === 'valid');
  if (valid('current-user-signing-key')) return result('verified', key.key, signatures);
  if (valid('other-key')) return result('verified-by-replaced-key', key.key, signatures);
  const previous = input.previouslyVerified;
  if (previous !== undefined && previous !== key.key) {
    const out = result('identity-changed', key.key, signatures);
    out.previousMasterKey = previous;
    return out;
  }
  const invalid = signatures.some((s) => s.result === 'invalid');
  return result('not-verified', key.key, signatures, invalid ? say('core_ins_your_signature_invalid') : undefined);
}
