/** What the popup may see of a stored session: everything but the token, which is masked. */
import { maskSecret } from '../core/mask.ts';
import type { SessionView } from '../ext/protocol.ts';
import type { StoredSession } from '../ext/storage.ts';
import { mayWrite, verdictOf } from './session-homeserver.ts';

export function sessionView(s: StoredSession): SessionView {
  const v: SessionView = {
    sessionId: s.sessionId,
    userId: s.userId,
    deviceId: s.deviceId,
    homeserver: s.homeserver,
    app: s.app,
    tokenMasked: maskSecret(s.accessToken),
    homeserverCheck: verdictOf(s),
    homeserverConfirmed: s.homeserverConfirmed === true,
    writable: mayWrite(s),
  };
  if (s.mismatch) v.mismatch = s.mismatch;
  return v;
}
