/**
 * My own public keys for the users report, taken from what was already read: the account
 * inspection's report, or the users' own keys/query answer (my user ID added to it costs no request).
 */
import type { KeysQueryResponse } from '../matrix/types.ts';
import { isJsonObject } from '../result.ts';
import type { Report } from '../inspect/report-types.ts';
import { ROLE } from '../roles.ts';
import type { MyKeys } from './types.ts';

/** From an account report: each key as published when its shape checks passed, else null. */
export function myKeysFromReport(report: Report): MyKeys {
  const key = (r: { status: string; publicKey: string | null }) => (r.status === 'ok' ? r.publicKey : null);
  return {
    masterKey: key(report.identity.master),
    selfSigningKey: key(report.identity.selfSigning),
    userSigningKey: key(report.identity.userSigning),
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

/** From a keys/query answer that included me. */
export function myKeysFromKeysQuery(response: KeysQueryResponse, userId: string): MyKeys {
  return {
    masterKey: soleKey(own(response.master_keys, userId), userId, ROLE.master.usage),
    selfSigningKey: soleKey(own(response.self_signing_keys, userId), userId, ROLE.selfSigning.usage),
    userSigningKey: soleKey(own(response.user_signing_keys, userId), userId, ROLE.userSigning.usage),
  };
}
