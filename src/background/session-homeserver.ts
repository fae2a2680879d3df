/**
 * Is a session's base URL its account's homeserver? A web page stores both the user ID and the
 * URL; a page (or anyone who wrote its storage) can pair a real user ID with a server of its own,
 * which then receives the token and, during a repair, the account password. The verdict is
 * computed once per session read (client-server API §Server Discovery) and kept with the session;
 * writes are refused here, in the background, until the verdict is trusted or the person
 * confirmed that host for that session.
 */
import { checkHomeserver, describeVerdict, hostOf, isTrustedHomeserver, type HomeserverVerdict } from '../core/matrix/discovery.ts';
import type { StoredSession } from '../ext/storage.ts';
import { say } from '../core/words/say.ts';

/** Discovery for a session's user ID, with the background's own fetch (no token). */
export function verifyHomeserver(userId: string, baseUrl: string): Promise<HomeserverVerdict> {
  return checkHomeserver(userId, baseUrl, { fetch: (input, init) => fetch(input, init) });
}

/** A session stored before verdicts existed has none: nothing proved its homeserver. */
export function verdictOf(s: StoredSession): HomeserverVerdict {
  return s.homeserverCheck ?? {
    verdict: 'unverifiable', serverNameHost: s.userId, baseUrlHost: hostOf(s.homeserver) ?? s.homeserver,
    reason: say('core_base_hs_not_checked'), insecure: false,
  };
}

/** Writes (and the password) may go to this session's homeserver. */
export function mayWrite(s: StoredSession): boolean {
  return s.homeserverConfirmed === true || isTrustedHomeserver(verdictOf(s));
}

export class HomeserverUnconfirmedError extends Error {
  readonly code = 'homeserver-unconfirmed';
  constructor(message: string) {
    super(message);
    this.name = 'HomeserverUnconfirmedError';
  }
}

/** @throws {HomeserverUnconfirmedError} naming both hosts, when writes need the person's confirmation first. */
export function assertWritable(s: StoredSession): void {
  if (mayWrite(s)) return;
  const v = verdictOf(s);
  throw new HomeserverUnconfirmedError(say('core_base_hs_unconfirmed', describeVerdict(v), v.baseUrlHost));
}
