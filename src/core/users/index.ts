/** The users report: whose verification matters to me, and in which state it is. */
export { classifyUser, masterPublicKey, MAX_SIGNATURES_CHECKED } from './classify.ts';
export type { UserKeysInput } from './classify.ts';
export {
  DISCOVERY_FILTER, DISCOVERY_SYNC_QUERY, isUserId, MAX_ROOMS, MAX_USERS, MEMBERS_CONCURRENCY, parseJoinedMembers, parseSyncDiscovery,
} from './discovery.ts';
export type { SyncDiscovery } from './discovery.ts';
export { fingerprintToKey, formatFingerprint } from './fingerprint.ts';
export { USER_STATE_LABELS, USER_STATE_NOTES } from './labels.ts';
export { inspectUsers, KEYS_QUERY_BATCH } from './inspect-users.ts';
export type { InspectUsersOptions, UsersAccount } from './inspect-users.ts';
export { myKeysFromKeysQuery, myKeysFromReport } from './my-keys.ts';
export { buildUsersReport, emptyCounts, usersProblems } from './report.ts';
export type { BuildUsersInput } from './report.ts';
export { USER_STATES, USERS_PROBLEM_CODES } from './types.ts';
export type {
  DiscoveryStats, MyKeys, SignatureDetail, UserSource, UserState, UsersProblem, UsersProblemCode, UsersReport, UserVerification,
} from './types.ts';
export {
  emptyVerifiedMemory, MAX_MEMORY_ACCOUNTS, MAX_MEMORY_USERS, memoryAccountKey, parseVerifiedMemory, previouslyVerified, rememberVerified,
  verifiedInReport,
} from './verified-memory.ts';
export type { MemoryAccount, VerifiedKey, VerifiedMemory } from './verified-memory.ts';
export { accountVerdict } from './verdict.ts';
export type { AccountVerdict, VerdictProblem } from './verdict.ts';
