/**
 * Typed access to extension storage. Secrets (access tokens) may only ever go to
 * `storage.session`: memory-backed, cleared when the browser closes, and not readable by
 * content scripts. Nothing secret is ever written to `storage.local` or `storage.sync`: the one
 * thing kept there is the public memory of verified master keys (below).
 */
import { browser } from './api.ts';
import type { HomeserverVerdict } from '../core/matrix/discovery.ts';
import {
  parseVerifiedMemory, rememberVerified, type MemoryAccount, type VerifiedKey, type VerifiedMemory,
} from '../core/users/verified-memory.ts';

export type StoredSession = {
  sessionId: string;
  homeserver: string;
  accessToken: string;
  userId: string;
  deviceId: string;
  app: string;
  tabId?: number;
  mismatch?: string;
  /** Where a tab read found the token, e.g. `idb-encrypted`, `live-client` (never for manual sessions). */
  source?: string;
  /** The token rotates (OIDC): re-read it from the tab before each use and after M_UNKNOWN_TOKEN. */
  rotates?: boolean;
  /** User and device as the web app's storage named them, to find the session again on a re-read. */
  pageUserId?: string;
  pageDeviceId?: string;
  /** Whether `homeserver` is the user ID's homeserver (client-server API §Server Discovery). */
  homeserverCheck?: HomeserverVerdict;
  /**
   * The person confirmed this session's homeserver host although it is not proven: writes and the
   * password may go there. Lives with the session in storage.session only, never storage.local.
   */
  homeserverConfirmed?: boolean;
};

const SESSIONS_KEY = 'sessions';

export async function loadSessions(): Promise<StoredSession[]> {
  const got = await browser.storage.session.get(SESSIONS_KEY);
  const value = got[SESSIONS_KEY];
  return Array.isArray(value) ? (value as StoredSession[]) : [];
}

export async function saveSessions(sessions: StoredSession[]): Promise<void> {
  await browser.storage.session.set({ [SESSIONS_KEY]: sessions });
}

/**
 * storage.local key of the master PUBLIC keys seen verified per account (user ID + homeserver):
 * how the users report tells "their identity changed since you verified them" across popup
 * openings and browser restarts (docs/matrix-api.md#identity-changed). Public data only: user
 * IDs and public keys, never a token.
 */
const VERIFIED_USERS_KEY = 'verifiedUsers';

/** One read-modify-write at a time: a users read and a repair may finish together. */
let verifiedQueue: Promise<unknown> = Promise.resolve();

export async function loadVerifiedMemory(): Promise<VerifiedMemory> {
  const got = await browser.storage.local.get(VERIFIED_USERS_KEY);
  return parseVerifiedMemory(got[VERIFIED_USERS_KEY]);
}

/** Add what was seen verified; written only when something changed. */
export function rememberVerifiedUsers(account: MemoryAccount, verified: readonly VerifiedKey[]): Promise<void> {
  const next = verifiedQueue.then(async () => {
    if (verified.length === 0) return;
    const { memory, changed } = rememberVerified(await loadVerifiedMemory(), account, verified);
    if (changed) await browser.storage.local.set({ [VERIFIED_USERS_KEY]: memory });
  });
  verifiedQueue = next.catch(() => undefined);
  return next;
}
