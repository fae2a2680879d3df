/**
 * The other people a repair vouches for, classified by the users report's classifier
 * (src/core/users/): one `/keys/query` for the people named, their master key kept exactly as
 * received (it is what gets signed), and their state from my point of view. "Everyone" is the
 * users report's discovery, then the same single query for the people in the wanted state, so the
 * objects signed are the ones just classified (docs/matrix-api.md#user-verification).
 */
import type { Ed25519 } from '../ed25519.ts';
import type { MatrixClient } from '../matrix/client.ts';
import type { Report } from '../inspect/report-types.ts';
import { classifyUser, inspectUsers, myKeysFromReport, type UserState } from '../users/index.ts';

export type RepairUserState = UserState;

export interface RepairUser {
  userId: string;
  state: UserState;
  /** Their master public key (unpadded base64), when they have a well-formed one. */
  masterKey?: string;
  /** Their master key object exactly as /keys/query returned it (signed bytes kept). */
  masterKeyObject?: unknown;
}

/** Classify `userIds` (me excluded) on one keys/query, against my keys as the account report read them. */
export async function classifyUsers(client: Pick<MatrixClient, 'queryKeys'>, me: string, report: Report, userIds: readonly string[], ed: Ed25519): Promise<RepairUser[]> {
  const wanted = [...new Set(userIds)].filter((id) => id !== me);
  if (wanted.length === 0) return [];
  const { response } = await client.queryKeys(wanted);
  const mine = { userId: me, keys: myKeysFromReport(report) };
  const out: RepairUser[] = [];
  for (const userId of wanted) {
    const master = response.master_keys !== undefined && Object.prototype.hasOwnProperty.call(response.master_keys, userId) ? response.master_keys[userId] : undefined;
    const failed = response.failures !== undefined && Object.keys(response.failures).includes(userId.slice(userId.indexOf(':') + 1));
    const verdict = await classifyUser({ userId, master, sources: ['typed'], ...(failed ? { serverFailed: true } : {}) }, mine, ed);
    const user: RepairUser = { userId, state: verdict.state };
    if (verdict.masterKey !== null) {
      user.masterKey = verdict.masterKey;
      user.masterKeyObject = master;
    }
    out.push(user);
  }
  return out;
}

/** Everyone the users report finds (encrypted rooms, direct chats) in `state`. */
export async function discoverUsersIn(client: MatrixClient, me: string, report: Report, state: UserState, ed: Ed25519): Promise<string[]> {
  const users = await inspectUsers(client, { userId: me, keys: myKeysFromReport(report) }, { ed });
  return users.users.filter((u) => u.state === state).map((u) => u.userId);
}
