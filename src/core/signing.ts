/**
 * Signing JSON: spec appendices §Signing JSON, §Signing Details, §Checking for a Signature
 * (docs/matrix-api.md#signing-json).
 *
 * Invariants:
 * - What is signed is the UTF-8 Canonical JSON of the object without `signatures` and `unsigned`,
 *   never `JSON.stringify` output.
 * - Objects are never normalised or mutated: servers' objects must stay byte-faithful, because
 *   that is what the signatures cover.
 * - Verification is three-state, so "nobody signed this" is not confused with "forged".
 */
import { canonicalJson } from './canonical-json.ts';
import { encodeBase64, tryDecodeBase64 } from './base64.ts';
import type { Ed25519 } from './ed25519.ts';
import { isJsonObject } from './result.ts';

/** `signatures` as on the wire: entity (user ID or server name) → key ID → unpadded base64. */
export type Signatures = Record<string, Record<string, string>>;

/** Outcome of checking one signature: present and correct, present and wrong, or absent. */
export type SignatureCheck = 'valid' | 'invalid' | 'not-signed';

/** Who signs: the entity (e.g. `@alice:example.org`), the key ID (e.g. `ed25519:ABC`) and the seed. */
export interface JsonSigner {
  entity: string;
  keyId: string;
  seed: Uint8Array;
}

const SIGNATURE_LENGTH = 64;
const ED25519_PREFIX = 'ed25519:';

function checkEntity(entity: string, field: string): void {
  if (typeof entity !== 'string') throw new TypeError(`${field} must be a string`);
  if (entity.length === 0) throw new RangeError(`${field} must not be empty`);
}

/** Key IDs are `<algorithm>:<identifier>` (appendices §Signing JSON); we only do ed25519. */
function checkKeyId(keyId: string, field: string): void {
  if (typeof keyId !== 'string') throw new TypeError(`${field} must be a string`);
  if (!keyId.startsWith(ED25519_PREFIX) || keyId.length === ED25519_PREFIX.length) {
    throw new RangeError(`${field} must look like "ed25519:<key id>", got ${JSON.stringify(keyId)}`);
  }
}

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/**
 * The exact bytes a signature covers: UTF-8 Canonical JSON of `object` without its `signatures`
 * and `unsigned` members (appendices §Signing Details, steps 1–2).
 *
 * @param object - A plain JSON object.
 * @returns The bytes to sign or verify.
 * @throws {TypeError} If `object` is not a plain object (arrays, null, class instances).
 * @throws {CanonicalJsonError} If the remaining members have no canonical form (floats, etc.).
 */
export function signingBytes(object: object): Uint8Array {
  if (!isJsonObject(object)) throw new TypeError('object must be a JSON object');
  const proto: unknown = Object.getPrototypeOf(object);
  // Object rest below would turn a Date or class instance into a plain object and sign that, so
  // refuse them here, like canonicalJson does for nested values.
  if (proto !== Object.prototype && proto !== null) throw new TypeError('object must be a plain JSON object');
  const { signatures: _signatures, unsigned: _unsigned, ...rest } = object;
  return new TextEncoder().encode(canonicalJson(rest));
}

/**
 * Sign a JSON object (appendices §Signing JSON; docs/matrix-api.md#signing-json steps 1–7).
 *
 * Returns a new object with the signature at `signatures[entity][keyId]`, every other existing
 * signature kept and `unsigned` re-attached. The input is not mutated; nested values other than
 * `signatures` are shared with it, not copied.
 *
 * @param object - A plain JSON object, possibly already signed by others.
 * @param signer - Entity, `ed25519:` key ID and 32-byte seed.
 * @param ed - The Ed25519 backend (see `detectEd25519`).
 * @returns The signed copy.
 * @throws {TypeError} On a non-object `object`, a malformed existing `signatures` member, or
 *   wrongly typed signer fields.
 * @throws {RangeError} On an empty entity, a key ID that is not `ed25519:…`, or a seed that is not
 *   32 bytes.
 * @throws {CanonicalJsonError} If the object has no canonical form.
 * @example
 * ```ts
 * const signed = await signJson({ one: 1 }, { entity: 'domain', keyId: 'ed25519:1', seed }, await detectEd25519());
 * ```
 */
export async function signJson<T extends object>(
  object: T,
  signer: JsonSigner,
  ed: Ed25519,
): Promise<T & { signatures: Signatures }> {
  if (!isJsonObject(signer)) throw new TypeError('signer must be an object');
  checkEntity(signer.entity, 'signer.entity');
  checkKeyId(signer.keyId, 'signer.keyId');
  if (!(signer.seed instanceof Uint8Array)) throw new TypeError('signer.seed must be a Uint8Array');
  if (signer.seed.length !== 32) throw new RangeError(`signer.seed must be 32 bytes, got ${signer.seed.length}`);

  const message = signingBytes(object);
  const record = object as Record<string, unknown>;
  const existing = hasOwn(record, 'signatures') ? record['signatures'] : undefined;
  if (existing !== undefined && !isJsonObject(existing)) throw new TypeError('object.signatures must be an object');
  const forEntity = existing && hasOwn(existing, signer.entity) ? existing[signer.entity] : undefined;
  if (forEntity !== undefined && !isJsonObject(forEntity)) {
    throw new TypeError(`object.signatures[${JSON.stringify(signer.entity)}] must be an object`);
  }

  const signature = encodeBase64(await ed.sign(signer.seed, message));

  // Steps 5–7: add ours next to the existing signatures and re-attach `unsigned`. Computed keys
  // define own properties even for "__proto__", so hostile entity names cannot touch prototypes.
  const signatures = {
    ...(existing as Signatures | undefined),
    [signer.entity]: { ...(forEntity as Record<string, string> | undefined), [signer.keyId]: signature },
  };
  const { signatures: _old, ...rest } = record;
  return { ...rest, signatures } as unknown as T & { signatures: Signatures };
}

/** One signature to look for on an object: who signed, with which key ID, and that key. */
export interface SignatureToCheck {
  entity: string;
  keyId: string;
  publicKey: Uint8Array;
}

/**
 * Check one signature on a JSON object (appendices §Checking for a Signature).
 *
 * Never throws on hostile input: anything that cannot be a correct signature over a canonical
 * object is 'invalid'.
 *
 * @param object - Untrusted JSON, typically straight from the server.
 * @param entity - Who should have signed (user ID or server name).
 * @param keyId - Which key, `ed25519:<key id>`.
 * @param publicKey - The 32-byte public key for `keyId` (a wrong length just yields 'invalid').
 * @param ed - The Ed25519 backend.
 * @returns 'not-signed' if there is no signature at `signatures[entity][keyId]`; 'invalid' if it
 *   is not a string, not base64, not 64 bytes, does not verify, or the object has no canonical
 *   form; 'valid' otherwise.
 * @throws {TypeError} If `entity` or `keyId` is not a string, or `publicKey` not a Uint8Array.
 * @throws {RangeError} If `entity` is empty or `keyId` is not `ed25519:…`.
 */
export async function verifyJsonSignature(
  object: unknown,
  entity: string,
  keyId: string,
  publicKey: Uint8Array,
  ed: Ed25519,
): Promise<SignatureCheck> {
  const [check] = await verifyJsonSignatures(object, [{ entity, keyId, publicKey }], ed);
  return check!;
}

/**
 * Check several signatures on one object, as {@link verifyJsonSignature} checks one, with its
 * signing bytes made once and the verifications run side by side. A device carries its own
 * signature and its self-signing key's: one canonical JSON instead of two is about 8 µs less
 * main-thread work a device (docs/design.md#cli-crypto).
 *
 * @returns One answer per check, in order.
 * @throws {TypeError} / {RangeError} On a malformed check, as {@link verifyJsonSignature} does.
 */
export async function verifyJsonSignatures(
  object: unknown,
  checks: readonly SignatureToCheck[],
  ed: Ed25519,
): Promise<SignatureCheck[]> {
  for (const { entity, keyId, publicKey } of checks) {
    checkEntity(entity, 'entity');
    checkKeyId(keyId, 'keyId');
    if (!(publicKey instanceof Uint8Array)) throw new TypeError('publicKey must be a Uint8Array');
  }
  // Made on first use only: an object nobody signed is never canonicalised.
  let message: Uint8Array | undefined;
  const one = async ({ entity, keyId, publicKey }: SignatureToCheck): Promise<SignatureCheck> => {
    try {
      if (!isJsonObject(object) || !hasOwn(object, 'signatures')) return 'not-signed';
      const signatures = object['signatures'];
      if (!isJsonObject(signatures) || !hasOwn(signatures, entity)) return 'not-signed';
      const forEntity = signatures[entity];
      if (!isJsonObject(forEntity) || !hasOwn(forEntity, keyId)) return 'not-signed';

      const decoded = tryDecodeBase64(forEntity[keyId]);
      if (!decoded.ok || decoded.value.length !== SIGNATURE_LENGTH) return 'invalid';
      message ??= signingBytes(object);
      return (await ed.verify(publicKey, message, decoded.value)) ? 'valid' : 'invalid';
    } catch {
      // Hostile shapes (no canonical form, class instances, cycles, throwing getters or proxies)
      // can throw anything from anywhere above, and none of them can carry a signature we accept.
      return 'invalid';
    }
  };
  return Promise.all(checks.map(one));
}
