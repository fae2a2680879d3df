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

/** What is wrong with a key object, as a stable code plus a sentence. */
export interface KeyShapeProblem {
  code: 'not-object' | 'unknown-field' | 'user-id' | 'usage' | 'keys' | 'signatures';
  message: string;
}

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
  if (!isJsonObject(value)) return fail({ code: 'not-object', message: `is ${describeType(value)}, not an object` });
  if (strict) {
    const extra = Object.keys(value).filter((k) => !KNOWN_FIELDS.has(k));
    if (extra.length > 0) {
      return fail({ code: 'unknown-field', message: `has unexpected field(s) ${extra.slice(0, 3).map((k) => JSON.stringify(k)).join(', ')}` });
    }
  }
  if (!withinDepth(value, MAX_DEPTH)) return fail({ code: 'not-object', message: 'is nested too deeply' });
  const owner = own(value, 'user_id');
  if (owner !== userId) {
    return fail({ code: 'user-id', message: `user_id is ${isString(owner) ? JSON.stringify(owner) : describeType(owner)}, not ${userId}` });
  }
  const usages = own(value, 'usage');
  if (!Array.isArray(usages) || !usages.every(isString)) return fail({ code: 'usage', message: 'usage is not an array of strings' });
  if (!usages.includes(usage)) return fail({ code: 'usage', message: `usage does not contain "${usage}"` });
  const others = usages.filter((u) => u !== usage && CROSS_SIGNING_USAGES.has(u));
  if (others.length > 0) return fail({ code: 'usage', message: `usage also claims ${others.map((u) => `"${u}"`).join(', ')}` });
  const keys = own(value, 'keys');
  if (!isJsonObject(keys)) return fail({ code: 'keys', message: 'keys is not an object' });
  const entries = Object.entries(keys);
  if (entries.length !== 1) return fail({ code: 'keys', message: `keys has ${entries.length} entries, not exactly one` });
  const [keyId, publicKey] = entries[0]!;
  if (!keyId.startsWith('ed25519:')) return fail({ code: 'keys', message: 'the key ID is not ed25519:<public key>' });
  if (publicKey !== keyId.slice('ed25519:'.length)) {
    return fail({ code: 'keys', message: 'the key ID does not equal ed25519:<its value>' });
  }
  const bytes = tryDecodeBase64(publicKey);
  if (!bytes.ok || bytes.value.length !== 32 || publicKey.endsWith('=')) {
    return fail({ code: 'keys', message: 'the public key is not 32 bytes of unpadded base64' });
  }
  const signatures = own(value, 'signatures');
  if (signatures !== undefined && !isSignatures(signatures)) {
    return fail({ code: 'signatures', message: 'signatures is not an object of objects of strings' });
  }
  return ok({ publicKey, key: value as CrossSigningKey });
}
