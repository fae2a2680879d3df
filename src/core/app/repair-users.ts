/**
 * The other people a repair vouches for, and where each stands with me: what verify-user,
 * reverify-users and a reset's keep-verified steps need to choose whom to sign. One
 * `/keys/query` for all of them (client-server API §Cross-signing): their master key as received,
 * and my signatures on it. Synapse shows only the signatures on each user's CURRENT master, so a
 * signature by me there means the master has not changed since I signed it
 * (docs/matrix-api.md#signatures-upload).
 */
import type { Ed25519 } from '../ed25519.ts';
import type { MatrixClient } from '../matrix/client.ts';
import { tryDecodeBase64 } from '../base64.ts';
import { MatrixApiError } from '../matrix/errors.ts';
import { verifyJsonSignature } from '../signing.ts';
import { checkCrossSigningKey } from '../repair/key-shape.ts';

/** Where a person stands with me (the users report's states). */
export type RepairUserState = 'verified' | 'verified-by-replaced-key' | 'identity-changed' | 'not-verified' | 'no-identity';

export interface RepairUser {
  userId: string;
  state: RepairUserState;
  /** Their master public key (unpadded base64), when they have a well-formed one. */
  masterKey?: string;
  /** Their master key object exactly as /keys/query returned it (signed bytes kept). */
  masterKeyObject?: unknown;
}

/**
 * Classify `userIds` against my current user-signing key `myUsk` (null: none published).
 * A signature by me with another key ID that verifies with the key it names is "my replaced key":
 * the homeserver lists it under my user ID, which is its word that the key was mine.
 */
export async function classifyUsers(
  client: Pick<MatrixClient, 'queryKeys'>, me: string, myUsk: string | null, userIds: readonly string[], ed: Ed25519,
): Promise<RepairUser[]> {
  const wanted = [...new Set(userIds)].filter((id) => id !== me);
  if (wanted.length === 0) return [];
  const { response } = await client.queryKeys(wanted);
  const out: RepairUser[] = [];
  for (const userId of wanted) {
    const raw = response.master_keys?.[userId];
    const checked = checkCrossSigningKey(raw, userId, 'master');
    if (!checked.ok) {
      out.push({ userId, state: 'no-identity' });
      continue;
    }
    const mine = checked.value.key.signatures?.[me] ?? {};
    let state: RepairUserState = 'not-verified';
    for (const keyId of Object.keys(mine)) {
      if (!keyId.startsWith('ed25519:')) continue;
      const named = keyId.slice('ed25519:'.length);
      const bytes = tryDecodeBase64(named);
      if (!bytes.ok || bytes.value.length !== 32) continue;
      if ((await verifyJsonSignature(raw, me, keyId, bytes.value, ed)) !== 'valid') continue;
      if (named === myUsk) { state = 'verified'; break; }
      state = 'verified-by-replaced-key';
    }
    out.push({ userId, state, masterKey: checked.value.publicKey, masterKeyObject: raw });
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The people whose verification matters: my direct-message partners (`m.direct`, client-server
 * API §Direct Messaging) and the members of my encrypted rooms (§End-to-End Encryption: a room is
 * encrypted once it has `m.room.encryption` state). Untrusted answers: anything malformed is skipped.
 * The users report's discovery, once merged, replaces this one (it batches for large accounts).
 */
export async function discoverUserIds(client: Pick<MatrixClient, 'request' | 'getAccountData'>, me: string): Promise<string[]> {
  const found = new Set<string>();
  const direct = await client.getAccountData(me, 'm.direct');
  if (direct !== null) for (const userId of Object.keys(direct)) if (userId.startsWith('@')) found.add(userId);
  const joined = await client.request('GET', ['_matrix', 'client', 'v3', 'joined_rooms']);
  const rooms = isObject(joined) && Array.isArray(joined.joined_rooms) ? joined.joined_rooms.filter((r): r is string => typeof r === 'string') : [];
  for (const roomId of rooms) {
    // 404 M_NOT_FOUND: no encryption state, not encrypted; any other failure is thrown.
    const encrypted = await client.request('GET', ['_matrix', 'client', 'v3', 'rooms', roomId, 'state', 'm.room.encryption'])
      .then(() => true, (e: unknown) => { if (e instanceof MatrixApiError && e.status === 404) return false; throw e; });
    if (!encrypted) continue;
    const members = await client.request('GET', ['_matrix', 'client', 'v3', 'rooms', roomId, 'joined_members']);
    const joinedMembers = isObject(members) && isObject(members.joined) ? Object.keys(members.joined) : [];
    for (const userId of joinedMembers) if (userId.startsWith('@')) found.add(userId);
  }
  found.delete(me);
  return [...found].sort();
}
