/**
 * A candidate becomes a session only after its homeserver confirmed the token: GET
 * /account/whoami with the token goes to the candidate's own homeserver (the one its web app
 * stored next to it) and nowhere else. User or device disagreeing with storage sets `mismatch`.
 */
import { ConnectionError, MatrixApiError } from '../core/matrix/errors.ts';
import { MESSAGES, SessionReadError, wordsOf } from '../readers/parse/read-errors.ts';
import type { Parsed } from '../readers/parse/candidate.ts';
import type { AppName, ReadErrorCode, SessionCandidate } from '../readers/parse/types.ts';
import type { StoredSession } from '../ext/storage.ts';
import { tokenClient, type Checked, type Rejected } from './session-service.ts';
import { verifyHomeserver } from './session-homeserver.ts';
import { say } from '../core/words/say.ts';


const reject = (c: SessionCandidate, code: ReadErrorCode, message: string): Checked => ({
  ok: false,
  rejected: { app: c.app, userId: c.userId, deviceId: c.deviceId, code, message },
});

/** The user-facing error for a failed whoami (also used for manually entered tokens). */
export function whoamiError(e: unknown, app: AppName | 'manual', homeserver: string): SessionReadError | undefined {
  if (e instanceof MatrixApiError) {
    if (e.errcode === 'M_UNKNOWN_TOKEN') {
      return e.softLogout ? new SessionReadError('soft-logout', MESSAGES.softLogout(app)) : new SessionReadError('invalid-token', MESSAGES.invalidToken(app));
    }
    return new SessionReadError('homeserver-error', say('core_base_whoami_refused', homeserver, `(${e.errcode}): ${e.message}`));
  }
  if (e instanceof ConnectionError) return new SessionReadError('homeserver-error', say('core_base_whoami_unreachable', `${homeserver}: ${e.message}`));
  return undefined;
}

export function describeMismatch(c: SessionCandidate, userId: string, deviceId: string | undefined): string | undefined {
  const user = userId !== c.userId;
  const device = c.deviceId !== '' && deviceId !== undefined && deviceId !== c.deviceId;
  if (user && device) return say('core_base_mismatch_both', c.app, c.userId, userId, c.deviceId, deviceId);
  if (user) return say('core_base_mismatch_user', c.app, c.userId, userId);
  if (device) return say('core_base_mismatch_device', c.app, c.deviceId, deviceId);
  return undefined;
}

export async function checkCandidate(c: SessionCandidate): Promise<Checked> {
  // The server already ended it; sending the dead token anywhere would serve no purpose.
  if (c.softLogout) return reject(c, 'soft-logout', MESSAGES.softLogout(c.app));
  // Discovery needs only a user ID and carries no token: started beside whoami with the one the
  // page stored, and redone below if the homeserver vouches for another (the verdict is always
  // for the user ID the token acts as). One sequential round trip instead of two.
  const early = verifyHomeserver(c.userId, c.homeserver);
  early.catch(() => undefined); // awaited only if whoami agrees
  let me: { user_id: string; device_id?: string };
  try {
    me = await tokenClient(c.homeserver, c.accessToken).whoami();
  } catch (e) {
    const err = whoamiError(e, c.app, c.homeserver);
    if (!err) throw e;
    return reject(c, err.code, err.message);
  }
  const session: StoredSession = {
    sessionId: crypto.randomUUID(),
    homeserver: c.homeserver,
    accessToken: c.accessToken,
    // The homeserver's word is what the token acts as.
    userId: me.user_id,
    deviceId: me.device_id ?? c.deviceId,
    app: c.app,
    source: c.source,
    rotates: c.rotates,
    pageUserId: c.userId,
    pageDeviceId: c.deviceId,
    // The user ID the homeserver vouched for names the homeserver the account is really on.
    homeserverCheck: await (me.user_id === c.userId ? early : verifyHomeserver(me.user_id, c.homeserver)),
  };
  const mismatch = describeMismatch(c, me.user_id, me.device_id);
  if (mismatch) session.mismatch = mismatch;
  return { ok: true, session };
}

/** Problems found while parsing, most telling first. */
const PRIORITY: ReadErrorCode[] = ['insecure-origin', 'soft-logout', 'invalid-token', 'read-failed', 'homeserver-error'];
const rank = (code: ReadErrorCode) => {
  const i = PRIORITY.indexOf(code);
  return i === -1 ? PRIORITY.length : i;
};

/**
 * Check every candidate. Resolves with the usable sessions (possibly with rejected ones beside);
 * rejects with the most telling SessionReadError when there is none.
 */
export async function checkCandidates(parsed: Parsed): Promise<{ sessions: StoredSession[]; rejected: Rejected[] }> {
  const checked = await Promise.all(parsed.candidates.map(checkCandidate));
  const sessions = checked.flatMap((c) => (c.ok ? [c.session] : []));
  const rejected: Rejected[] = [
    ...checked.flatMap((c) => (c.ok ? [] : [c.rejected])),
    ...parsed.problems.map((p) => ({ app: p.app, code: p.code, message: p.message })),
  ];
  // Beside usable sessions the popup lists these, in the UI language where it has their words.
  if (sessions.length) return { sessions, rejected: rejected.map((r) => { const words = wordsOf(r.message); return words ? { ...r, words } : r; }) };
  if (!rejected.length) throw new SessionReadError('not-matrix', MESSAGES.notMatrix);
  const worst = [...rejected].sort((a, b) => rank(a.code) - rank(b.code))[0]!;
  throw new SessionReadError(worst.code, worst.message);
}
