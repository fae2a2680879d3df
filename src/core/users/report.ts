/**
 * Assemble the users report from a keys/query answer: classify each user, count per state, and
 * name the problems (counts only, never a user: the report may be shared).
 */
import type { Ed25519 } from '../ed25519.ts';
import type { KeysQueryResult } from '../matrix/parse-keys-query.ts';
import { ROLE } from '../roles.ts';
import { classifyUser } from './classify.ts';
import { say, sayCount } from '../words/say.ts';
import {
  USER_STATES, USERS_PROBLEM_CODES, type DiscoveryStats, type MyKeys, type UserSource, type UsersProblem, type UsersReport, type UserState,
  type UserVerification,
} from './types.ts';

export interface BuildUsersInput {
  me: { userId: string; keys: MyKeys };
  /** Every user to report on (never me), with why they are listed. */
  candidates: ReadonlyMap<string, readonly UserSource[]>;
  /** The keys/query answers (one per batch); users absent from all of them have no identity. */
  keysQuery: readonly KeysQueryResult[];
  stats: DiscoveryStats;
  /** userId → a master key the caller remembers having verified (for `identity-changed`). */
  previouslyVerified?: ReadonlyMap<string, string>;
  ed: Ed25519;
}

const own = (o: object | undefined, k: string): unknown =>
  o !== undefined && Object.prototype.hasOwnProperty.call(o, k) ? (o as Record<string, unknown>)[k] : undefined;

export const emptyCounts = (): Record<UserState, number> =>
  Object.fromEntries(USER_STATES.map((s) => [s, 0])) as Record<UserState, number>;

/** The problems of a users report: counts only. A healthy account with no verified users has none. */
export function usersProblems(counts: Record<UserState, number>, stats: DiscoveryStats): UsersProblem[] {
  const problems: UsersProblem[] = [];
  const replaced = counts['verified-by-replaced-key'];
  if (replaced > 0) {
    problems.push({
      code: 'users-verified-by-replaced-key',
      message: sayCount('core_ins_users_replaced', replaced),
      repair: USERS_PROBLEM_CODES['users-verified-by-replaced-key'].repair!,
      count: replaced,
    });
  }
  const changed = counts['identity-changed'];
  if (changed > 0) {
    problems.push({
      code: 'users-identity-changed',
      message: sayCount('core_ins_users_changed', changed),
      count: changed,
    });
  }
  const missing = stats.roomsFailed + stats.truncated;
  if (missing > 0) {
    const parts = [];
    if (stats.roomsFailed > 0) parts.push(sayCount('core_ins_users_rooms_failed', stats.roomsFailed));
    if (stats.truncated > 0) parts.push(sayCount('core_ins_users_truncated', stats.truncated));
    problems.push({ code: 'users-partial', message: say('core_ins_users_incomplete', parts.join('; ')), count: missing });
  }
  return problems;
}

/**
 * Classify every candidate and build the report, users sorted by state then user ID.
 * @throws Never on server data.
 */
export async function buildUsersReport(input: BuildUsersInput): Promise<UsersReport> {
  const failedServers = new Set<string>();
  for (const q of input.keysQuery) for (const server of Object.keys(q.response.failures ?? {})) failedServers.add(server);
  const users: UserVerification[] = [];
  for (const [userId, sources] of input.candidates) {
    let master: unknown;
    let masterUnreadable: string | undefined;
    for (const q of input.keysQuery) {
      master ??= own(q.response.master_keys, userId);
      masterUnreadable ??= q.skipped.find((s) => s.section === ROLE.master.querySection && s.userId === userId)?.problem;
    }
    const server = userId.slice(userId.indexOf(':') + 1);
    const previous = input.previouslyVerified?.get(userId);
    users.push(await classifyUser({
      userId, master, sources: [...sources],
      ...(masterUnreadable === undefined ? {} : { masterUnreadable }),
      ...(failedServers.has(server) ? { serverFailed: true } : {}),
      ...(previous === undefined ? {} : { previouslyVerified: previous }),
    }, input.me, input.ed));
  }
  const order = (s: UserState) => USER_STATES.indexOf(s);
  users.sort((a, b) => order(a.state) - order(b.state) || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  const counts = emptyCounts();
  for (const u of users) counts[u.state] += 1;
  return {
    formatVersion: 1,
    userId: input.me.userId,
    userSigningKey: input.me.keys.userSigningKey,
    users,
    counts,
    problems: usersProblems(counts, input.stats),
    discovery: { ...input.stats },
  };
}
