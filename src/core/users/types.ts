/**
 * The users report: which other people my identity vouches for, and how (docs/matrix-api.md#user-verification).
 * Plain JSON, safe to show and copy: public keys, signature verdicts and user IDs, never a secret.
 */

/**
 * One user's verification state, from my point of view. The values are STABLE: the CLI's
 * `--json` output, the popup's `data-state` and scripts match on them.
 *
 * - `verified`: my current user-signing key validly signs their current master key;
 * - `verified-by-replaced-key`: a signature on their current master key verifies with the key its
 *   key ID names, which is not my current user-signing key (the homeserver only keeps signatures
 *   it checked against my user-signing key of the time, docs/matrix-api.md#synapse-replaced-usk);
 * - `identity-changed`: I had verified another master key of theirs (only when the caller
 *   remembers one: the homeserver forgets signatures on a replaced master key);
 * - `not-verified`: a master key, no valid signature of mine on it;
 * - `no-identity`: the homeserver publishes no master key for them.
 */
export type UserState = 'verified' | 'verified-by-replaced-key' | 'identity-changed' | 'not-verified' | 'no-identity';

export const USER_STATES: readonly UserState[] = [
  'verified', 'verified-by-replaced-key', 'identity-changed', 'not-verified', 'no-identity',
];

/** Why a user is listed (several when several apply). */
export type UserSource = 'encrypted-room' | 'direct' | 'typed';

/**
 * One signature of mine found on their master key. `by`: whether its key ID names my current
 * user-signing key. `result`: 'valid' / 'invalid' as checked, 'unverifiable' when the key ID names
 * no Ed25519 public key to check it with (e.g. a device ID).
 */
export interface SignatureDetail {
  keyId: string;
  by: 'current-user-signing-key' | 'other-key';
  result: 'valid' | 'invalid' | 'unverifiable';
}

export interface UserVerification {
  userId: string;
  /** Their master public key (unpadded base64) exactly as published, or null. */
  masterKey: string | null;
  /** {@link masterKey} in groups of four characters, for reading aloud; null without a key. */
  fingerprint: string | null;
  state: UserState;
  /** My signatures on their master key (at most a few, see MAX_SIGNATURES_CHECKED). */
  signatures: SignatureDetail[];
  /** For `identity-changed`: the master key I had verified. */
  previousMasterKey?: string;
  /** Why the state is what it is when that is not obvious (a malformed key, a failed query…). */
  note?: string;
  sources: UserSource[];
}

/**
 * Problem codes of the users report (stable, like the account report's):
 *
 * | code | meaning | usual repair |
 * |---|---|---|
 * | users-verified-by-replaced-key | N people are signed only by my replaced user-signing key | reverify-users |
 * | users-identity-changed | N people I verified publish another master key (caller remembers) | — |
 * | users-partial | some encrypted rooms' members could not be read, or too many users | — |
 */
export type UsersProblemCode = 'users-verified-by-replaced-key' | 'users-identity-changed' | 'users-partial';

/** Every users problem code with its repair (the table above, as data; README's users table is held to it). */
export const USERS_PROBLEM_CODES: Readonly<Record<UsersProblemCode, { repair?: 'reverify-users' }>> = Object.freeze({
  'users-verified-by-replaced-key': { repair: 'reverify-users' },
  'users-identity-changed': {},
  'users-partial': {},
});

/** A finding about the users as a whole; it names no user (counts only). */
export interface UsersProblem {
  code: UsersProblemCode;
  message: string;
  /** The repair that fixes it (a RepairRequest kind once the repair exists). */
  repair?: 'reverify-users';
  count?: number;
}

export interface UsersReport {
  formatVersion: 1;
  /** The account the report is about. */
  userId: string;
  /** My current user-signing public key the signatures were checked against, or null. */
  userSigningKey: string | null;
  users: UserVerification[];
  counts: Record<UserState, number>;
  problems: UsersProblem[];
  /** How the users were found: rooms looked at, encrypted ones, keys/query requests. */
  discovery: DiscoveryStats;
}

export interface DiscoveryStats {
  /**
   * Joined rooms the discovery sync returned. Synapse leaves out a room with nothing that passes
   * the filter, so an unencrypted room is not even counted (docs/matrix-api.md#users-discovery).
   */
  roomsReturned: number;
  encryptedRooms: number;
  directPartners: number;
  typed: number;
  /** Rooms whose member list could not be read (their members are missing from the report). */
  roomsFailed: number;
  keysQueryRequests: number;
  /** Users left out because there were more than MAX_USERS. */
  truncated: number;
}

/**
 * My own keys, as the account inspection already read them (so nothing is fetched twice).
 * Unpadded base64 public keys; null when not published or unusable.
 */
export interface MyKeys {
  masterKey: string | null;
  selfSigningKey: string | null;
  userSigningKey: string | null;
}
