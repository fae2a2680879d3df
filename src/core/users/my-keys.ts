/**
 * My own public keys for the users report, taken from what was already read: the account
 * inspection's report, or the users' own keys/query answer (my user ID added to it costs no request).
 */
import { tryDecodeBase64 } from '../base64.ts';
import type { Ed25519 } from '../ed25519.ts';
import { verifyJsonSignature } from '../signing.ts';
import type { KeysQueryResponse } from '../matrix/types.ts';
import { isJsonObject } from '../result.ts';
import type { Report } from '../inspect/report-types.ts';
import { ROLE } from '../roles.ts';
import type { MyKeys } from './types.ts';

/**
 * From an account report: each key as published when its shape checks passed, else null. The
 * user-signing key counts only when my master key validly signs it: a homeserver could otherwise
 * publish a key of its own and make anyone look verified.
 */
export function myKeysFromReport(report: Report): MyKeys {
  const key = (r: { status: string; publicKey: string | null }) => (r.status === 'ok' ? r.publicKey : null);
  const usk = report.identity.userSigning;
  return {
    masterKey: key(report.identity.master),
    selfSigningKey: key(report.identity.selfSigning),
    userSigningKey: usk.signatureByMaster === 'valid' ? key(usk) : null,
  };
}

/** The one `ed25519:<pub>` → `<pub>` of a cross-signing key for `userId`, or null. */
function soleKey(key: unknown, userId: string, usage: string): string | null {
  if (!isJsonObject(key) || key['user_id'] !== userId) return null;
  if (!Array.isArray(key['usage']) || !key['usage'].includes(usage)) return null;
  const keys = key['keys'];
  if (!isJsonObject(keys)) return null;
  const entries = Object.entries(keys);
  if (entries.length !== 1) return null;
  const [id, value] = entries[0]!;
  return typeof value === 'string' && id === `ed25519:${value}` ? value : null;
}

const own = (o: object | undefined, k: string): unknown =>
  o !== undefined && Object.prototype.hasOwnProperty.call(o, k) ? (o as Record<string, unknown>)[k] : undefined;

/**
 * From a keys/query answer that included me; the user-signing key only when my master key
 * validly signs it (see {@link myKeysFromReport}).
 */
export async function myKeysFromKeysQuery(response: KeysQueryResponse, userId: string, ed: Ed25519): Promise<MyKeys> {
  const masterKey = soleKey(own(response.master_keys, userId), userId, ROLE.master.usage);
  const uskObject = own(response.user_signing_keys, userId);
  let userSigningKey = soleKey(uskObject, userId, ROLE.userSigning.usage);
  if (userSigningKey !== null) {
    const master = masterKey === null ? null : tryDecodeBase64(masterKey);
    const check = master?.ok === true ? await verifyJsonSignature(uskObject, userId, `ed25519:${masterKey}`, master.value, ed) : 'invalid';
    if (check !== 'valid') userSigningKey = null;
  }
  return { masterKey, selfSigningKey: soleKey(own(response.self_signing_keys, userId), userId, ROLE.selfSigning.usage), userSigningKey };
}
