/**
 * Typed access to extension storage. Secrets (access tokens) may only ever go to
 * `storage.session`: memory-backed, cleared when the browser closes, and not readable by
 * content scripts. Nothing secret is ever written to `storage.local` or `storage.sync`.
 */
import { browser } from './api.ts';
import type { HomeserverVerdict } from '../core/matrix/discovery.ts';

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
