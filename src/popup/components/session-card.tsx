import { errorText } from '../error-text.ts';
import { useState } from 'preact/hooks';
import { hostOf } from '../../core/matrix/hosts.ts';
import type { SessionView } from '../../ext/protocol.ts';
import { send } from '../../ext/messaging.ts';
import { session as currentSession, sessions } from '../state.ts';
import { hasHidden, visible } from '../visible-text.ts';
import { CopyButton } from './copy-button.tsx';
import { t, tj } from '../i18n.ts';
import { homeserverVerdictText } from '../core-words.ts';

/** An ID from the page or the homeserver, with hidden characters shown escaped and flagged. */
export function SafeId({ value }: { value: string }) {
  return hasHidden(value)
    ? <span data-hidden-chars="true" title={t('hiddenCharsTitle')}>{visible(value)} <strong class="bad-text">{t('hiddenChars')}</strong></span>
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
    return <p class="good-text" data-testid="homeserver-verdict" data-verdict={v.verdict}>✓ {visible(homeserverVerdictText(v))}</p>;
  }
  return (
    <div class={session.homeserverConfirmed ? 'muted' : 'error'} role="alert" data-testid="homeserver-warning" data-verdict={v.verdict}
      data-insecure={String(v.insecure)} data-confirmed={String(session.homeserverConfirmed)}
      data-server-name-host={v.serverNameHost} data-base-url-host={v.baseUrlHost}>
      <p><strong>{t(v.verdict === 'mismatch' ? 'hsMismatch' : v.verdict === 'unverifiable' ? 'hsUnverifiable' : 'hsInsecure')}</strong></p>
      <p>{visible(homeserverVerdictText(v))}</p>
      {session.homeserverConfirmed ? (
        <p data-testid="homeserver-confirmed">{tj('hsConfirmed', <span class="mono">{host}</span>)}</p>
      ) : (
        <>
          <p>{tj('hsBlocked', <span class="mono">{host}</span>, <span class="mono"><SafeId value={session.userId} /></span>)}</p>
          <button type="button" data-testid="confirm-homeserver" data-host={host}
            onClick={async () => {
              setError(null);
              try {
                replaceSession(await send('confirmHomeserver', { sessionId: session.sessionId, host }));
              } catch (e) {
                setError(errorText(e));
              }
            }}>
            {t('hsTrust', host)}
          </button>
        </>
      )}
      {error && <p class="error" data-testid="homeserver-confirm-error">{error}</p>}
    </div>
  );
}

export function SessionCard({ session }: { session: SessionView }) {
  return (
    <section aria-label={t('sessionLabel')} data-testid="session-card">
      <HomeserverVerdict session={session} />
      <dl>
        <dt>{t('userHeading')}</dt>
        <dd class="mono" data-testid="session-user-id"><SafeId value={session.userId} /><CopyButton label={t('userId')} value={() => session.userId} /></dd>
        <dt>{t('deviceHeading')}</dt>
        <dd class="mono" data-testid="session-device-id">{session.deviceId ? <SafeId value={session.deviceId} /> : t('unknownParen')}<CopyButton label={t('deviceId')} value={() => session.deviceId} /></dd>
        <dt>{t('homeserver')}</dt>
        <dd class="mono" data-testid="session-homeserver">{session.homeserver}</dd>
        <dt>{t('appHeading')}</dt>
        <dd data-testid="session-app">{session.app}</dd>
        <dt>{t('tokenHeading')}</dt>
        <dd class="mono" data-testid="session-token">
          {session.tokenMasked}
          <CopyButton label={t('accessTokenLower')} value={async () => (await send('copyToken', { sessionId: session.sessionId })).accessToken} />
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
          {t('forgetSession')}
        </button>
      </div>
      {session.mismatch && <p class="error" role="alert" data-testid="session-mismatch">{visible(session.mismatch)}</p>}
    </section>
  );
}
