/**
 * What the tool remembers about the people I verified: per account (my user ID and homeserver),
 * the master public key of each person it has seen verified by my current user-signing key. The
 * homeserver forgets my signature when someone replaces their master key, so only this memory can
 * tell "their identity changed since you verified them" (docs/matrix-api.md#identity-changed).
 *
 * Public data only (user IDs and public keys), kept by the caller: the CLI in a state file, the
 * extension in storage.local. What is read back is untrusted (a hand-edited file, another
 * version's storage): anything malformed is dropped, never thrown on.
 */
import { tryDecodeBase64 } from '../base64.ts';
import { isJsonObject } from '../result.ts';
import { isUserId } from './discovery.ts';
import type { UsersReport } from './types.ts';

export interface VerifiedMemory {
  formatVersion: 1;
  /** {@link memoryAccountKey} → user ID → the master public key (unpadded base64) seen verified. */
  accounts: Record<string, Record<string, string>>;
}

/** Whose memory: my user ID and the homeserver it was read from. */
export interface MemoryAccount {
  userId: string;
  homeserver: string;
}

/** A person and the master key of theirs I verified. */
export interface VerifiedKey {
  userId: string;
  masterKey: string;
}

/** Accounts kept (a person rarely has more than a few); people per account as the users report's limit. */
export const MAX_MEMORY_ACCOUNTS = 50;
export const MAX_MEMORY_USERS = 20_000;

export const emptyVerifiedMemory = (): VerifiedMemory => ({ formatVersion: 1, accounts: {} });

/** The same homeserver written two ways (`https://HS/`, `https://hs`) is one account. */
export function memoryAccountKey(account: MemoryAccount): string {
  return `${account.userId} ${account.homeserver.trim().replace(/\/+$/, '').toLowerCase()}`;
}

function isMasterKey(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 43) return false;
  const decoded = tryDecodeBase64(value);
  return decoded.ok && decoded.value.length === 32;
}

/**
 * Read a stored memory; whatever is not a well-formed entry is left out.
 * @throws Never.
 */
export function parseVerifiedMemory(value: unknown): VerifiedMemory {
  const out = emptyVerifiedMemory();
  if (!isJsonObject(value) || value['formatVersion'] !== 1 || !isJsonObject(value['accounts'])) return out;
  for (const [account, people] of Object.entries(value['accounts']).slice(0, MAX_MEMORY_ACCOUNTS)) {
    if (!isJsonObject(people) || account.length > 1000) continue;
    const kept: Record<string, string> = {};
    for (const [userId, key] of Object.entries(people).slice(0, MAX_MEMORY_USERS)) {
      if (isUserId(userId) && isMasterKey(key)) kept[userId] = key;
    }
    out.accounts[account] = kept;
  }
  return out;
}

/** One account's people (own properties only: the keys come from storage). */
const peopleOf = (memory: VerifiedMemory, key: string): Record<string, string> =>
  (Object.prototype.hasOwnProperty.call(memory.accounts, key) ? memory.accounts[key]! : {});

/** userId → the master key I verified, for inspectUsers' `previouslyVerified`. */
export function previouslyVerified(memory: VerifiedMemory, account: MemoryAccount): Map<string, string> {
  return new Map(Object.entries(peopleOf(memory, memoryAccountKey(account))));
}

/**
 * The memory with `verified` recorded (each person's latest verified key replaces an older one).
 * @returns The new memory, and whether anything changed (nothing to write otherwise).
 */
export function rememberVerified(memory: VerifiedMemory, account: MemoryAccount, verified: readonly VerifiedKey[]): { memory: VerifiedMemory; changed: boolean } {
  const key = memoryAccountKey(account);
  const people: Record<string, string> = { ...peopleOf(memory, key) };
  let changed = false;
  for (const { userId, masterKey } of verified) {
    if (userId === account.userId || !isUserId(userId) || !isMasterKey(masterKey)) continue;
    if (people[userId] === masterKey) continue;
    if (!Object.prototype.hasOwnProperty.call(people, userId) && Object.keys(people).length >= MAX_MEMORY_USERS) continue;
    people[userId] = masterKey;
    changed = true;
  }
  if (!changed) return { memory, changed };
  const accounts = { ...memory.accounts };
  delete accounts[key];
  // The account just used goes last; the oldest ones make room beyond the limit.
  const names = Object.keys(accounts);
  for (const old of names.slice(0, Math.max(0, names.length - (MAX_MEMORY_ACCOUNTS - 1)))) delete accounts[old];
  accounts[key] = people;
  return { memory: { formatVersion: 1, accounts }, changed };
}

/** The people a users report reads `verified` (my current user-signing key signs their current master key). */
export function verifiedInReport(report: UsersReport): VerifiedKey[] {
  return report.users.flatMap((u) => (u.state === 'verified' && u.masterKey !== null ? [{ userId: u.userId, masterKey: u.masterKey }] : []));
}
