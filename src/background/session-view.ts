/** What the popup may see of a stored session: everything but the token, which is masked. */
import { maskSecret } from '../core/mask.ts';
import type { SessionView } from '../ext/protocol.ts';
import type { StoredSession } from '../ext/storage.ts';

export function sessionView(s: StoredSession): SessionView {
  const v: SessionView = {
    sessionId: s.sessionId,
    userId: s.userId,
    deviceId: s.deviceId,
    homeserver: s.homeserver,
    app: s.app,
    tokenMasked: maskSecret(s.accessToken),
  };
  if (s.mismatch) v.mismatch = s.mismatch;
  return v;
}
