/**
 * The users report in one call, for the background and the CLI (docs/matrix-api.md#users-discovery):
 * discovery (one filtered sync, then the encrypted rooms' member lists in one wave), then one
 * keys/query wave for everybody (batches of {@link KEYS_QUERY_BATCH}, sent together), then the
 * classification. Three request waves; none needs the account status (give `keys` as a promise),
 * so they run beside it and only the classification waits for it.
 */
import { detectEd25519, type Ed25519 } from '../ed25519.ts';
import type { MatrixClient } from '../matrix/client.ts';
import { ConnectionError, MatrixApiError, UiaRequiredError } from '../matrix/errors.ts';
import type { KeysQueryResult } from '../matrix/parse-keys-query.ts';
import { v3 } from '../matrix/url.ts';
import { mapLimited } from '../map-limited.ts';
import {
  DISCOVERY_SYNC_QUERY, isUserId, MAX_USERS, MEMBERS_CONCURRENCY, parseJoinedMembers, parseSyncDiscovery,
} from './discovery.ts';
import { myKeysFromKeysQuery } from './my-keys.ts';
import { buildUsersReport } from './report.ts';
import type { DiscoveryStats, MyKeys, UserSource, UsersReport } from './types.ts';
import { say } from '../words/say.ts';

/**
 * Users per keys/query request. Synapse sets no limit on the number of users (only on the body
 * size), but the answer carries every device of every user and the client caps a body at 16 MiB:
 * 500 users with a handful of devices each stay far below it (docs/matrix-api.md#users-discovery).
 */
export const KEYS_QUERY_BATCH = 500;

/** Whose report, and what the account inspection already knows (then nothing is fetched again). */
export interface UsersAccount {
  userId: string;
  /**
   * My keys from the account report (`myKeysFromReport`); without them, keys/query also asks for
   * me. May be a promise of them: the discovery and the people's keys/query then run beside the
   * account inspection, and only the classification waits for it.
   */
  keys?: MyKeys | PromiseLike<MyKeys>;
}

export interface InspectUsersOptions {
  /** User IDs typed in; each must look like `@user:server` (TypeError otherwise). */
  extraUserIds?: readonly string[];
  /** Only the typed users: no sync, no member lists. */
  skipDiscovery?: boolean;
  /** userId → a master key the caller remembers having verified (for `identity-changed`). */
  previouslyVerified?: ReadonlyMap<string, string>;
  /** The backend, or a promise of it (awaited only after the keys/query wave). */
  ed?: Ed25519 | PromiseLike<Ed25519>;
  signal?: AbortSignal;
  /** Milliseconds the homeserver may wait for remote servers in keys/query. */
  keysQueryTimeoutMs?: number;
}

/**
 * Build the users report.
 *
 * @throws {TypeError} On a typed user ID that is not `@user:server`.
 * @throws {ConnectionError | MatrixApiError} When the sync or a keys/query failed (nothing can be
 *   said then); a room whose member list fails is counted in `discovery.roomsFailed` instead.
 */
export async function inspectUsers(client: MatrixClient, account: UsersAccount, opts: InspectUsersOptions = {}): Promise<UsersReport> {
  const typed = opts.extraUserIds ?? [];
  for (const id of typed) if (!isUserId(id)) throw new TypeError(`not a user ID (expected @user:server): ${JSON.stringify(id).slice(0, 80)}`);
  const edPromise = opts.ed ?? detectEd25519();
  // Awaited only before the classification; a rejection meanwhile is not "unhandled" (it is
  // thrown from there).
  const myKeys = Promise.resolve(account.keys);
  myKeys.catch(() => undefined);
  const signal = opts.signal;
  const candidates = new Map<string, UserSource[]>();
  const add = (userId: string, source: UserSource) => {
    if (userId === account.userId) return;
    const sources = candidates.get(userId);
    if (sources === undefined) candidates.set(userId, [source]);
    else if (!sources.includes(source)) sources.push(source);
  };
  const stats: DiscoveryStats = {
    roomsReturned: 0, encryptedRooms: 0, directPartners: 0, typed: typed.length, roomsFailed: 0, keysQueryRequests: 0, truncated: 0,
  };

  if (opts.skipDiscovery !== true) {
    const sync = parseSyncDiscovery(await client.request('GET', v3('sync'), { query: DISCOVERY_SYNC_QUERY, ...(signal ? { signal } : {}) }));
    if (!sync.ok) throw new ConnectionError(say('core_ins_unexpected_sync', sync.error), { kind: 'bad-response' });
    stats.roomsReturned = sync.value.roomsReturned;
    stats.encryptedRooms = sync.value.encryptedRoomIds.length;
    stats.directPartners = sync.value.directPartners.length;
    const members = await mapLimited(sync.value.encryptedRoomIds, MEMBERS_CONCURRENCY, async (roomId) => {
      try {
        const parsed = parseJoinedMembers(await client.request('GET', v3('rooms', roomId, 'joined_members'), signal ? { signal } : {}));
        return parsed.ok ? parsed.value : null;
      } catch (error) {
        if (signal?.aborted === true) throw error;
        if (error instanceof MatrixApiError || error instanceof ConnectionError || error instanceof UiaRequiredError) return null;
        throw error; // a programmer error, not server data
      }
    });
    for (const list of members) {
      if (list === null) stats.roomsFailed += 1;
      else for (const userId of list) add(userId, 'encrypted-room');
    }
    for (const userId of sync.value.directPartners) add(userId, 'direct');
  }
  for (const userId of typed) add(userId, 'typed');

  if (candidates.size > MAX_USERS) {
    stats.truncated = candidates.size - MAX_USERS;
    for (const userId of [...candidates.keys()].slice(MAX_USERS)) candidates.delete(userId);
  }
  const ids = [...candidates.keys()];
  if (account.keys === undefined) ids.push(account.userId);
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += KEYS_QUERY_BATCH) batches.push(ids.slice(i, i + KEYS_QUERY_BATCH));
  stats.keysQueryRequests = batches.length;
  const queryOpts = { ...(signal ? { signal } : {}), ...(opts.keysQueryTimeoutMs === undefined ? {} : { timeout: opts.keysQueryTimeoutMs }) };
  const answers: KeysQueryResult[] = await Promise.all(batches.map((batch) => client.queryKeys(batch, queryOpts)));

  const ed = await edPromise;
  let keys = await myKeys;
  if (keys === undefined) {
    const mine = answers.find((a) => a.response.master_keys !== undefined && Object.prototype.hasOwnProperty.call(a.response.master_keys, account.userId));
    keys = mine === undefined ? { masterKey: null, selfSigningKey: null, userSigningKey: null } : await myKeysFromKeysQuery(mine.response, account.userId, ed);
  }
  return buildUsersReport({
    me: { userId: account.userId, keys }, candidates, keysQuery: answers, stats, ed,
    ...(opts.previouslyVerified === undefined ? {} : { previouslyVerified: opts.previouslyVerified }),
  });
}
