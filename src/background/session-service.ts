/**
 * The session service: the one owner of a stored session's token on its way to the homeserver,
 * and the one place the background makes a Matrix client (`clientFor`, `tokenClient`).
 *
 * One freshness policy. A token that does not rotate is used as stored. A rotating one (OIDC:
 * Element with Matrix Authentication Service rotates the access token every few minutes and
 * revokes the old one) is re-read from the web app's tab once per use: a client from
 * `clientFor` — one status read, one repair run — asks `token()` at its first request and keeps
 * the answer, so a status read injects into the tab at most once. After a 401 `M_UNKNOWN_TOKEN`
 * the core client's `onUnknownToken` hook re-reads the tab once (`token(id, {force: true})`,
 * shared by every request the same token failed) and the client resends the request once.
 * The token is re-read, never refreshed by us: using the web app's refresh token would revoke
 * the app's own session (docs/web-clients.md#element-oidc).
 *
 * Pure apart from its injected dependencies (session store, tab reader, candidate check, fetch),
 * so its policy is unit-tested in Node with a counting tab reader (session-service.test.ts);
 * `sessions.ts` wires the real ones. The layout around it: docs/design.md#sessions.
 */
import { createMatrixClient, type MatrixClient } from '../core/matrix/client.ts';
import type { Parsed } from '../readers/parse/candidate.ts';
import { SessionReadError } from '../readers/parse/read-errors.ts';
import type { ReadErrorCode, SessionCandidate } from '../readers/parse/types.ts';
import type { RejectedSession } from '../ext/protocol.ts';
import type { StoredSession } from '../ext/storage.ts';
import { say } from '../core/words/say.ts';

/** A rejected candidate, with the code narrowed to the ones a read produces. */
export type Rejected = RejectedSession & { code: ReadErrorCode };
/** What checking a candidate gives (session-validate.ts checks; this service uses the answer). */
export type Checked = { ok: true; session: StoredSession } | { ok: false; rejected: Rejected };

export interface SessionServiceDeps {
  getSession(sessionId: string): Promise<StoredSession | undefined>;
  updateSession(sessionId: string, patch: Partial<Omit<StoredSession, 'sessionId'>>): Promise<StoredSession | undefined>;
  /** Read the tab's session candidates (an injection into the tab). */
  readTab(tabId: number): Promise<Parsed>;
  /**
   * Resolves when the tab's access grant is back (tab-access.ts); rejects if the tab closes.
   * Without it, a lapsed grant fails the re-read like any other read error.
   */
  waitForAccess?(tabId: number): Promise<void>;
  /** whoami on the candidate's own homeserver, before its token replaces a stored one. */
  check(candidate: SessionCandidate): Promise<Checked>;
  /** Default: the runtime's fetch. Tests inject their own. */
  fetch?: typeof fetch;
}

export interface SessionService {
  /**
   * The token to send now. Without `force`: the stored token, or for a rotating tab session the
   * one its tab holds now (the stored one if the tab cannot be read: the request will tell;
   * if the tab's access grant lapsed, it waits for the grant to be restored).
   * With `force` (after M_UNKNOWN_TOKEN, or the person asked): the tab is re-read, and a failed
   * read rejects.
   * @throws {SessionReadError} with force: the tab is gone, unreadable, or no longer holds the session.
   */
  token(sessionId: string, opts?: { force?: boolean }): Promise<string>;
  /** Re-read the session's tab now; the session with the token found there. */
  refresh(sessionId: string): Promise<StoredSession>;
  /** A client for one use of the session (a status read, a repair run): see the header. */
  clientFor(sessionId: string): Promise<MatrixClient>;
}

export function unknownSessionError(): Error {
  return Object.assign(new Error(say('core_base_session_unknown')), { name: 'UnknownSessionError' });
}

/** Called unbound from the global at each request, or browsers throw "Illegal invocation". */
const runtimeFetch: typeof fetch = (input, init) => fetch(input, init);

/**
 * The background's one client factory. A stored session's client re-reads its token through
 * `onUnknownToken`; a token that is not a session yet has no tab to re-read it from.
 */
function makeClient(baseUrl: string, accessToken: string | (() => Promise<string>), fetchFn: typeof fetch, onUnknownToken?: (rejected: string) => Promise<string | undefined>): MatrixClient {
  return createMatrixClient({ baseUrl, accessToken, fetch: fetchFn, ...(onUnknownToken ? { onUnknownToken } : {}) });
}

/** A client for a token that is not a stored session yet (whoami before storing it). */
export function tokenClient(baseUrl: string, accessToken: string): MatrixClient {
  return makeClient(baseUrl, accessToken, runtimeFetch);
}

export function createSessionService(deps: SessionServiceDeps): SessionService {
  const fetchFn = deps.fetch ?? runtimeFetch;
  /** Tab reads in flight, per session: a read asked for while one runs joins it. */
  const reading = new Map<string, Promise<StoredSession>>();

  const known = async (sessionId: string): Promise<StoredSession> => {
    const s = await deps.getSession(sessionId);
    if (!s) throw unknownSessionError();
    return s;
  };

  /**
   * Read the tab; when its activeTab grant has lapsed (a reload, a cross-origin navigation), wait
   * until the person restores it by clicking the toolbar icon on that tab, then read again. Not
   * failing: the stored token of a rotating session is likely revoked by now, and the person can
   * fix the cause in one click. Not the stale token either: it would fail, or worse, half a plan.
   */
  const readWhenAllowed = async (tabId: number): Promise<Parsed> => {
    for (;;) {
      try {
        return await deps.readTab(tabId);
      } catch (e) {
        if (!(e instanceof SessionReadError && e.code === 'access-lapsed') || deps.waitForAccess === undefined) throw e;
        await deps.waitForAccess(tabId);
      }
    }
  };

  /**
   * Re-run the reader on the session's tab and take the token it finds now for the same app, user
   * and device. A different token is checked with whoami before it replaces the stored one.
   */
  const readFromTab = async (sessionId: string): Promise<StoredSession> => {
    const s = await known(sessionId);
    if (s.tabId === undefined) throw new SessionReadError('read-failed', say('core_base_session_manual_no_tab'));
    const parsed = await readWhenAllowed(s.tabId);
    const pageUser = s.pageUserId ?? s.userId;
    const pageDevice = s.pageDeviceId ?? s.deviceId;
    const c = parsed.candidates.find((x) => x.app === s.app && x.homeserver === s.homeserver && x.userId === pageUser && x.deviceId === pageDevice);
    if (!c) {
      const problem = parsed.problems.find((p) => p.app === s.app);
      if (problem) throw new SessionReadError(problem.code, problem.message);
      throw new SessionReadError('not-matrix', say('core_base_session_gone_from_tab', s.app, s.userId));
    }
    if (c.accessToken === s.accessToken && !c.softLogout) return s;
    const checked = await deps.check(c);
    if (!checked.ok) throw new SessionReadError(checked.rejected.code, checked.rejected.message);
    if (checked.session.userId !== s.userId || checked.session.deviceId !== s.deviceId) {
      throw new SessionReadError('read-failed', say('core_base_session_token_of_another', s.app, checked.session.userId, checked.session.deviceId));
    }
    const next = await deps.updateSession(sessionId, { accessToken: c.accessToken, source: c.source });
    if (!next) throw unknownSessionError();
    return next;
  };

  const refresh = (sessionId: string): Promise<StoredSession> => {
    const running = reading.get(sessionId);
    if (running) return running;
    const read = readFromTab(sessionId).finally(() => reading.delete(sessionId));
    reading.set(sessionId, read);
    return read;
  };

  const token = async (sessionId: string, opts: { force?: boolean } = {}): Promise<string> => {
    const s = await known(sessionId);
    if (opts.force === true) return (await refresh(sessionId)).accessToken;
    if (!s.rotates || s.tabId === undefined) return s.accessToken;
    try {
      return (await refresh(sessionId)).accessToken;
    } catch {
      // Before use, a failed re-read keeps the stored token: the homeserver's answer tells.
      return s.accessToken;
    }
  };

  const clientFor = async (sessionId: string): Promise<MatrixClient> => {
    const s = await known(sessionId);
    // The token this client sends; asked for once, at its first request.
    let current: Promise<string> | undefined;
    const accessToken = (): Promise<string> => (current ??= token(sessionId));
    // One forced tab read per refused token, shared by every request that token failed; set
    // synchronously, so concurrent refusals cannot start a second read.
    const renewals = new Map<string, Promise<string>>();
    const onUnknownToken = (rejected: string): Promise<string | undefined> => {
      if (s.tabId === undefined) return Promise.resolve(undefined);
      let renewal = renewals.get(rejected);
      if (renewal === undefined) {
        renewal = token(sessionId, { force: true });
        renewals.set(rejected, renewal);
        current = renewal.catch(() => rejected);
      }
      return renewal;
    };
    return makeClient(s.homeserver, accessToken, fetchFn, onUnknownToken);
  };

  return { token, refresh, clientFor };
}
