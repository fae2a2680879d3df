import { useState } from 'preact/hooks';
import { describeVerdict, hostOf } from '../../core/matrix/discovery.ts';
import type { SessionView } from '../../ext/protocol.ts';
import { send } from '../../ext/messaging.ts';
import { session as currentSession, sessions } from '../state.ts';
import { hasHidden, visible } from '../visible-text.ts';
import { CopyButton } from './copy-button.tsx';

/** An ID from the page or the homeserver, with hidden characters shown escaped and flagged. */
export function SafeId({ value }: { value: string }) {
  return hasHidden(value)
    ? <span data-hidden-chars="true" title="Contains invisible or control characters, shown escaped">{visible(value)} <strong class="bad-text">⚠ hidden characters</strong></span>
    : <>{value}</>;
}

/** Replace the session everywhere the popup holds it (after the background changed it). */
function replaceSession(next: SessionView): void {
  sessions.value = sessions.value.map((s) => (s.sessionId === next.sessionId ? next : s));
  if (currentSession.value?.sessionId === next.sessionId) currentSession.value = next;
}

/**
 * Whether the session's homeserver is the account's (§Server Discovery). Anything but proven is
 * shown loudly, naming both hosts, with the one action that lets writes go there.
 */
function HomeserverVerdict({ session }: { session: SessionView }) {
  const [error, setError] = useState<string | null>(null);
  const v = session.homeserverCheck;
  const host = hostOf(session.homeserver) ?? session.homeserver;
  if (session.writable && !session.homeserverConfirmed) {
    return <p class="good-text" data-testid="homeserver-verdict" data-verdict={v.verdict}>✓ {visible(describeVerdict(v))}</p>;
  }
  return (
    <div class={session.homeserverConfirmed ? 'muted' : 'error'} role="alert" data-testid="homeserver-warning" data-verdict={v.verdict}
      data-insecure={String(v.insecure)} data-confirmed={String(session.homeserverConfirmed)}
      data-server-name-host={v.serverNameHost} data-base-url-host={v.baseUrlHost}>
      <p><strong>{v.verdict === 'mismatch' ? '⚠ Not this account’s homeserver' : v.verdict === 'unverifiable' ? '⚠ Homeserver not verified' : '⚠ Insecure connection'}</strong></p>
      <p>{visible(describeVerdict(v))}</p>
      {session.homeserverConfirmed ? (
        <p data-testid="homeserver-confirmed">You confirmed <span class="mono">{host}</span> for this session: repairs and your password go there.</p>
      ) : (
        <>
          <p>Repairs and password prompts are blocked. Confirm only if you know <span class="mono">{host}</span> is where {' '}
            <span class="mono"><SafeId value={session.userId} /></span> lives.</p>
          <button type="button" data-testid="confirm-homeserver" data-host={host}
            onClick={async () => {
              setError(null);
              try {
                replaceSession(await send('confirmHomeserver', { sessionId: session.sessionId, host }));
              } catch (e) {
                setError(e instanceof Error ? e.message : String(e));
              }
            }}>
            I trust {host} with this account
          </button>
        </>
      )}
      {error && <p class="error" data-testid="homeserver-confirm-error">{error}</p>}
    </div>
  );
}

export function SessionCard({ session }: { session: SessionView }) {
  return (
    <section aria-label="Session" data-testid="session-card">
      <HomeserverVerdict session={session} />
      <dl>
        <dt>User</dt>
        <dd class="mono" data-testid="session-user-id"><SafeId value={session.userId} /><CopyButton label="user ID" value={() => session.userId} /></dd>
        <dt>Device</dt>
        <dd class="mono" data-testid="session-device-id">{session.deviceId ? <SafeId value={session.deviceId} /> : '(unknown)'}<CopyButton label="device ID" value={() => session.deviceId} /></dd>
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
      {session.mismatch && <p class="error" role="alert" data-testid="session-mismatch">{visible(session.mismatch)}</p>}
    </section>
  );
}
