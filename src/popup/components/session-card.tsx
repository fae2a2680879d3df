import type { SessionView } from '../../ext/protocol.ts';
import { send } from '../../ext/messaging.ts';
import { session as currentSession, sessions } from '../state.ts';
import { CopyButton } from './copy-button.tsx';

export function SessionCard({ session }: { session: SessionView }) {
  return (
    <section aria-label="Session" data-testid="session-card">
      <dl>
        <dt>User</dt>
        <dd class="mono" data-testid="session-user-id">{session.userId}<CopyButton label="user ID" value={() => session.userId} /></dd>
        <dt>Device</dt>
        <dd class="mono" data-testid="session-device-id">{session.deviceId || '(unknown)'}<CopyButton label="device ID" value={() => session.deviceId} /></dd>
        <dt>Homeserver</dt>
        <dd class="mono" data-testid="session-homeserver">{session.homeserver}</dd>
        <dt>App</dt>
        <dd data-testid="session-app">{session.app}</dd>
        <dt>Token</dt>
        <dd class="mono" data-testid="session-token">
          {session.tokenMasked}
          <CopyButton label="access token" value={async () => (await send('copyToken', { sessionId: session.sessionId })).accessToken} />
        </dd>
      </dl>
      <div class="row">
        <button
          type="button"
          data-testid="session-forget"
          onClick={async () => {
            await send('forgetSession', { sessionId: session.sessionId });
            sessions.value = sessions.value.filter((s) => s.sessionId !== session.sessionId);
            currentSession.value = sessions.value[0] ?? null;
          }}
        >
          Forget this session
        </button>
      </div>
      {session.mismatch && <p class="error" role="alert" data-testid="session-mismatch">{session.mismatch}</p>}
    </section>
  );
}
