/**
 * Which users' verification matters (docs/matrix-api.md#users-discovery): the members of my
 * encrypted rooms, my direct-message partners (`m.direct`) and any user ID typed in.
 *
 * Requests, chosen to stay cheap on a large account:
 * 1. one `GET /sync` without `since`, filtered to the `m.room.encryption` state of each joined
 *    room and the `m.direct` account data, with an empty timeline and nothing else: no message
 *    is downloaded, and a huge public unencrypted room costs one room entry without members;
 * 2. `GET /rooms/{roomId}/joined_members` for the encrypted rooms only, all in one wave (a few
 *    at a time, see {@link MEMBERS_CONCURRENCY}).
 * The answers are hostile JSON: parsed here into Results, bounded, and invalid user IDs dropped.
 */
import { fail, isJsonObject, ok, type Result } from '../result.ts';
import { say } from '../words/say.ts';
import { isUserId, MAX_USER_ID_LENGTH } from '../matrix/ids.ts';

/** `GET /sync` filter: m.room.encryption state and m.direct only (docs/matrix-api.md#users-discovery). */
export const DISCOVERY_FILTER = {
  presence: { not_types: ['*'] },
  account_data: { types: ['m.direct'] },
  room: {
    state: { types: ['m.room.encryption'], lazy_load_members: false },
    timeline: { limit: 0 },
    ephemeral: { not_types: ['*'] },
    account_data: { not_types: ['*'] },
    include_leave: false,
  },
} as const;

/** The query of the discovery sync: no `since` (current state), no wait, presence untouched. */
export const DISCOVERY_SYNC_QUERY: Readonly<Record<string, string>> = {
  filter: JSON.stringify(DISCOVERY_FILTER),
  timeout: '0',
  set_presence: 'offline',
};

/** joined_members requests in flight at once: one wave, without opening hundreds of sockets. */
export const MEMBERS_CONCURRENCY = 16;
/** More joined rooms than this is hostile or beyond what the report is for. */
export const MAX_ROOMS = 10_000;
/** Users reported at most; the rest are counted as truncated. */
export const MAX_USERS = 20_000;

export { isUserId } from '../matrix/ids.ts';

export interface SyncDiscovery {
  roomsReturned: number;
  /** Joined rooms whose state has `m.room.encryption`. */
  encryptedRoomIds: string[];
  /** The user IDs that are keys of `m.direct`. */
  directPartners: string[];
}

const own = (o: Record<string, unknown>, k: string): unknown =>
  Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;

function events(container: unknown): unknown[] {
  if (!isJsonObject(container)) return [];
  const list = own(container, 'events');
  return Array.isArray(list) ? list : [];
}

/**
 * Read the discovery sync's answer. Fails only when the body is not an object; a malformed room,
 * event or m.direct entry is skipped.
 */
export function parseSyncDiscovery(raw: unknown): Result<SyncDiscovery> {
  if (!isJsonObject(raw)) return fail(say('core_ins_sync_not_object'));
  const rooms = own(raw, 'rooms');
  const join = isJsonObject(rooms) ? own(rooms, 'join') : undefined;
  const encryptedRoomIds: string[] = [];
  let roomsReturned = 0;
  if (isJsonObject(join)) {
    for (const roomId of Object.keys(join).slice(0, MAX_ROOMS)) {
      roomsReturned += 1;
      const room = own(join, roomId);
      if (!isJsonObject(room) || roomId === '' || roomId.length > MAX_USER_ID_LENGTH) continue;
      // The state block holds the room's state at the start of the (empty) timeline: its current
      // state. The timeline is read too, in case a server still sends the event there.
      const encrypted = [...events(own(room, 'state')), ...events(own(room, 'timeline'))].some(
        (e) => isJsonObject(e) && own(e, 'type') === 'm.room.encryption' && own(e, 'state_key') === '' && isJsonObject(own(e, 'content')),
      );
      if (encrypted) encryptedRoomIds.push(roomId);
    }
  }
  const directPartners: string[] = [];
  for (const e of events(own(raw, 'account_data'))) {
    if (!isJsonObject(e) || own(e, 'type') !== 'm.direct') continue;
    const content = own(e, 'content');
    if (isJsonObject(content)) directPartners.push(...Object.keys(content).filter(isUserId).slice(0, MAX_USERS));
  }
  return ok({ roomsReturned, encryptedRoomIds, directPartners });
}

/** The user IDs of a `GET /rooms/{roomId}/joined_members` answer (`{joined: {userId: …}}`). */
export function parseJoinedMembers(raw: unknown): Result<string[]> {
  if (!isJsonObject(raw)) return fail(say('core_ins_members_not_object'));
  const joined = own(raw, 'joined');
  if (!isJsonObject(joined)) return fail(say('core_ins_members_no_joined'));
  return ok(Object.keys(joined).filter(isUserId));
}
