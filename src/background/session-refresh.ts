/**
 * Keeping a tab session's token current. OIDC sessions (Element with Matrix Authentication
 * Service) rotate their access token every few minutes and the old one is revoked, so the token
 * is re-read from the web app's tab — never refreshed by us: using the app's refresh token would
 * revoke the app's own session (docs/web-app-storage.md#element-oidc).
 */
import { createMatrixClient, type MatrixClient } from '../core/matrix/client.ts';
import { SessionReadError } from '../readers/parse/read-errors.ts';
import type { StoredSession } from '../ext/storage.ts';
import { readTabCandidates } from './read-tab.ts';
import { getSession, updateSession } from './session-store.ts';
import { retryOnUnknownToken } from './session-fetch.ts';
import { checkCandidate } from './session-validate.ts';

/** A rotating session's token is re-read when the last read is older than this. */
export const REREAD_AFTER_MS = 10_000;

function unknownSession(): Error {
  return Object.assign(new Error('That session is no longer known to the extension; reconnect.'), { name: 'UnknownSessionError' });
}

/**
 * Re-run the reader on the session's tab and take the token it finds now for the same app, user
 * and device. The new token is checked with whoami before it replaces the old one.
 * @throws {SessionReadError} the tab is gone or unreadable, or no longer holds this session.
 */
export async function refreshSessionToken(sessionId: string): Promise<StoredSession> {
  const s = await getSession(sessionId);
  if (!s) throw unknownSession();
  if (s.tabId === undefined) throw new SessionReadError('read-failed', 'This session was entered by hand; there is no tab to re-read its token from.');
  const parsed = await readTabCandidates(s.tabId);
  const pageUser = s.pageUserId ?? s.userId;
  const pageDevice = s.pageDeviceId ?? s.deviceId;
  const c = parsed.candidates.find((x) => x.app === s.app && x.homeserver === s.homeserver && x.userId === pageUser && x.deviceId === pageDevice);
  if (!c) {
    const problem = parsed.problems.find((p) => p.app === s.app);
    if (problem) throw new SessionReadError(problem.code, problem.message);
    throw new SessionReadError('not-matrix', `${s.app} in this tab no longer has the session of ${s.userId}. Reopen the popup to read the tab again.`);
  }
  if (c.accessToken === s.accessToken && !c.softLogout) return s;
  const checked = await checkCandidate(c);
  if (!checked.ok) throw new SessionReadError(checked.rejected.code, checked.rejected.message);
  if (checked.session.userId !== s.userId || checked.session.deviceId !== s.deviceId) {
    throw new SessionReadError('read-failed', `The token now in ${s.app} belongs to another session (${checked.session.userId} / ${checked.session.deviceId}). Reopen the popup.`);
  }
  const next = await updateSession(sessionId, { accessToken: c.accessToken, source: c.source });
  if (!next) throw unknownSession();
  return next;
}

/**
 * The session with its current token: rotating (OIDC) tab sessions are re-read from their tab
 * first; if that fails (tab closed, app signed out) the stored token is used as it is.
 */
export async function freshSession(s: StoredSession): Promise<StoredSession> {
  if (!s.rotates || s.tabId === undefined) return s;
  try {
    return await refreshSessionToken(s.sessionId);
  } catch {
    // The request itself will report a dead token (M_UNKNOWN_TOKEN) with its own message.
    return s;
  }
}

/**
 * A Matrix client for a stored session, for every handler that talks to the homeserver.
 * Tab sessions re-read their token after a 401 M_UNKNOWN_TOKEN and retry once with the new one;
 * rotating (OIDC) sessions also re-read it before use (at most every REREAD_AFTER_MS).
 * Manual sessions behave like a plain client.
 */
export async function sessionClient(sessionId: string, opts: { fetch?: typeof fetch; timeoutMs?: number } = {}): Promise<MatrixClient> {
  const initial = await getSession(sessionId);
  if (!initial) throw unknownSession();
  const baseFetch: typeof fetch = opts.fetch ?? ((input, init) => fetch(input, init));
  let token = initial.accessToken;
  let readAt = initial.rotates ? 0 : Date.now();
  const fromTab = initial.tabId !== undefined;

  const current = async (force: boolean): Promise<string> => {
    if (fromTab && (force || (initial.rotates && Date.now() - readAt > REREAD_AFTER_MS))) {
      readAt = Date.now();
      try {
        token = (await refreshSessionToken(sessionId)).accessToken;
      } catch (e) {
        // Before use, a failed re-read keeps the last token (the request will tell); after
        // M_UNKNOWN_TOKEN the caller gets the original 401.
        if (force) throw e;
      }
    }
    return token;
  };

  const retryingFetch = fromTab ? retryOnUnknownToken(baseFetch, () => current(true)) : baseFetch;

  return createMatrixClient({
    baseUrl: initial.homeserver,
    accessToken: () => current(false),
    fetch: retryingFetch,
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
  });
}
