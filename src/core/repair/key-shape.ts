/**
 * Shape checks for cross-signing key objects that come from outside (a pasted manual upload, a
 * keys/query answer): CrossSigningKey in docs/matrix-api.md#cross-signing-key-upload and the inspector checklist in docs/matrix-api.md#correct-identity.
 * Never throws; the object itself is returned untouched (signatures cover its bytes).
 */
import { tryDecodeBase64 } from '../base64.ts';
import { describeType, isJsonObject, isSignatures, isString, own, withinDepth } from '../matrix/json-guards.ts';
import type { CrossSigningKey } from '../matrix/types.ts';
import { fail, ok, type Result } from '../result.ts';
import { ROLE, ROLES } from '../roles.ts';
import type { CoreMessageId } from '../words/core-messages.ts';
import { say } from '../words/say.ts';

/** Which shape check failed: `core_eng_shape_<what>` says it (after the key's name), with `subs`. */
export type KeyShapeWhat =
  | 'not_object' | 'unexpected_fields' | 'too_deep' | 'user_id' | 'usage_not_strings' | 'usage_missing' | 'usage_also'
  | 'keys_not_object' | 'keys_count' | 'key_id_prefix' | 'key_id_value' | 'public_key' | 'signatures';

/** What is wrong with a key object, as a stable code plus a sentence (`message`, the words of `words`). */
export interface KeyShapeProblem {
  code: 'not-object' | 'unknown-field' | 'user-id' | 'usage' | 'keys' | 'signatures';
  message: string;
  /** The message's words, so a caller can say the problem with the key's name in one sentence. */
  words: { what: KeyShapeWhat; subs: string[] };
}

/** The message of each shape check (said after the key's name). */
const SHAPE_SAYS = {
  not_object: 'core_eng_shape_not_object',
  unexpected_fields: 'core_eng_shape_unexpected_fields',
  too_deep: 'core_eng_shape_too_deep',
  user_id: 'core_eng_shape_user_id',
  usage_not_strings: 'core_eng_shape_usage_not_strings',
  usage_missing: 'core_eng_shape_usage_missing',
  usage_also: 'core_eng_shape_usage_also',
  keys_not_object: 'core_eng_shape_keys_not_object',
  keys_count: 'core_eng_shape_keys_count',
  key_id_prefix: 'core_eng_shape_key_id_prefix',
  key_id_value: 'core_eng_shape_key_id_value',
  public_key: 'core_eng_shape_public_key',
  signatures: 'core_eng_shape_signatures',
} as const satisfies Record<KeyShapeWhat, CoreMessageId>;

const problem = (code: KeyShapeProblem['code'], what: KeyShapeWhat, ...subs: string[]): Result<never, KeyShapeProblem> =>
  fail({ code, message: say(SHAPE_SAYS[what], ...subs), words: { what, subs } });

const KNOWN_FIELDS = new Set(['user_id', 'usage', 'keys', 'signatures']);
const CROSS_SIGNING_USAGES = new Set<string>(ROLES.map((role) => ROLE[role].usage));
const MAX_DEPTH = 8;

/**
 * Check a cross-signing key: `user_id` is the user, `usage` contains the expected usage and no
 * other cross-signing usage (Synapse tolerates extra unknown entries, docs/matrix-api.md#synapse-upload-checks), `keys` has exactly
 * one `ed25519:<pub>` whose value is `<pub>`, a 32-byte key (docs/matrix-api.md#cross-signing-key-upload; Synapse does not check the
 * ID suffix, we do), and `signatures`, if present, has the spec's shape.
 *
 * @param strict - Also reject fields other than user_id/usage/keys/signatures (for user input).
 * @returns The unpadded base64 public key and the very object given.
 */
export function checkCrossSigningKey(
  value: unknown, userId: string, usage: string, strict = false,
): Result<{ publicKey: string; key: CrossSigningKey }, KeyShapeProblem> {
  if (!isJsonObject(value)) return problem('not-object', 'not_object', describeType(value));
  if (strict) {
    const extra = Object.keys(value).filter((k) => !KNOWN_FIELDS.has(k));
    if (extra.length > 0) {
      return problem('unknown-field', 'unexpected_fields', extra.slice(0, 3).map((k) => JSON.stringify(k)).join(', '));
    }
  }
  if (!withinDepth(value, MAX_DEPTH)) return problem('not-object', 'too_deep');
  const owner = own(value, 'user_id');
  if (owner !== userId) {
    return problem('user-id', 'user_id', isString(owner) ? JSON.stringify(owner) : describeType(owner), userId);
  }
  const usages = own(value, 'usage');
  if (!Array.isArray(usages) || !usages.every(isString)) return problem('usage', 'usage_not_strings');
  if (!usages.includes(usage)) return problem('usage', 'usage_missing', usage);
  const others = usages.filter((u) => u !== usage && CROSS_SIGNING_USAGES.has(u));
  if (others.length > 0) return problem('usage', 'usage_also', others.map((u) => `"${u}"`).join(', '));
  const keys = own(value, 'keys');
  if (!isJsonObject(keys)) return problem('keys', 'keys_not_object');
  const entries = Object.entries(keys);
  if (entries.length !== 1) return problem('keys', 'keys_count', String(entries.length));
  const [keyId, publicKey] = entries[0]!;
  if (!keyId.startsWith('ed25519:')) return problem('keys', 'key_id_prefix');
  if (publicKey !== keyId.slice('ed25519:'.length)) {
    return problem('keys', 'key_id_value');
  }
  const bytes = tryDecodeBase64(publicKey);
  if (!bytes.ok || bytes.value.length !== 32 || publicKey.endsWith('=')) {
    return problem('keys', 'public_key');
  }
  const signatures = own(value, 'signatures');
  if (signatures !== undefined && !isSignatures(signatures)) {
    return problem('signatures', 'signatures');
  }
  return ok({ publicKey, key: value as CrossSigningKey });
}
