/**
 * Small never-throwing helpers shared by the inspector's checks: reading untrusted signed objects,
 * decoding public keys and verifying signatures without letting hostile shapes escape as throws.
 */
import { tryDecodeBase64 } from '../base64.ts';
import type { Ed25519 } from '../ed25519.ts';
import { isJsonObject } from '../result.ts';
import { verifyJsonSignatures, type SignatureCheck } from '../signing.ts';

const ED25519_PREFIX = 'ed25519:';
const PUBLIC_KEY_LENGTH = 32;
/** Display names and other server text are cut to this many characters in the report. */
export const MAX_TEXT_LENGTH = 200;

/** An own property of an untrusted object, or undefined. */
export function own(value: unknown, key: string): unknown {
  return isJsonObject(value) && Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
}

/** A 32-byte ed25519/curve25519 public key from unpadded (or padded) base64, else null. */
export function decodePublicKey(value: unknown): Uint8Array | null {
  const decoded = tryDecodeBase64(value);
  return decoded.ok && decoded.value.length === PUBLIC_KEY_LENGTH ? decoded.value : null;
}

/** Does this key ID suffix look like a public key (unpadded base64 of 32 bytes)? */
export function looksLikePublicKey(suffix: string): boolean {
  return suffix.length === 43 && decodePublicKey(suffix) !== null;
}

/** The `ed25519:<suffix>` key IDs that `entity` signed `object` with (own properties only). */
export function ed25519SignerSuffixes(object: unknown, entity: string): string[] {
  const forEntity = own(own(object, 'signatures'), entity);
  if (!isJsonObject(forEntity)) return [];
  return Object.keys(forEntity)
    .filter((keyId) => keyId.startsWith(ED25519_PREFIX) && keyId.length > ED25519_PREFIX.length)
    .map((keyId) => keyId.slice(ED25519_PREFIX.length));
}

/**
 * Check the signature `signatures[entity]["ed25519:<suffix>"]` on `object` with `publicKey`.
 * Never throws: an empty suffix or entity, or anything hostile, is 'invalid' when a signature is
 * there and 'not-signed' when none is.
 */
export async function verifySafely(
  object: unknown, entity: string, suffix: string, publicKey: Uint8Array, ed: Ed25519,
): Promise<SignatureCheck> {
  const [check] = await verifySafelyEach(object, entity, [{ suffix, publicKey }], ed);
  return check!;
}

/**
 * {@link verifySafely} for several keys of one entity on one object, its canonical JSON made once
 * (a device's own signature and its self-signing key's). An undefined entry is skipped and
 * answered undefined, so callers keep their positions.
 */
export async function verifySafelyEach(
  object: unknown, entity: string, keys: readonly ({ suffix: string; publicKey: Uint8Array } | undefined)[], ed: Ed25519,
): Promise<(SignatureCheck | undefined)[]> {
  const wanted = keys.flatMap((k, i) => (k === undefined || entity === '' || k.suffix === '' ? [] : [{ i, check: { entity, keyId: `${ED25519_PREFIX}${k.suffix}`, publicKey: k.publicKey } }]));
  let checked: SignatureCheck[];
  try {
    checked = await verifyJsonSignatures(object, wanted.map((w) => w.check), ed);
  } catch {
    // verifyJsonSignatures only throws on bad arguments, which the guard above rules out; a
    // backend failure (e.g. WebCrypto gone away) must not crash a report either.
    checked = wanted.map(() => 'invalid');
  }
  const out: (SignatureCheck | undefined)[] = keys.map((k) => (k === undefined ? undefined : 'not-signed'));
  wanted.forEach((w, n) => (out[w.i] = checked[n]));
  return out;
}

/** Server text for the report: a string, cut to {@link MAX_TEXT_LENGTH} characters; else null. */
export function reportText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return value.length > MAX_TEXT_LENGTH ? `${value.slice(0, MAX_TEXT_LENGTH)}…` : value;
}
