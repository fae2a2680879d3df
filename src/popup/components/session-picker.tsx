import { visible } from '../visible-text.ts';
import { rejected, session, sessions } from '../state.ts';
import { t, tp } from '../i18n.ts';
import { wordsText } from '../error-text.ts';

/** Several sessions in one tab (Hydrogen, Sable, FluffyChat accounts): let the user pick one. */
export function SessionPicker() {
  const all = sessions.value;
  // Only set next to usable sessions: a read with none usable ends in the error banner instead.
  const unusable = rejected.value;
  if (all.length < 2 && unusable.length === 0) return null;
  return (
    <section aria-label={t('sessionsInTab')} data-testid="session-picker">
      {all.length > 1 && (
        <>
          <h2>{t('sessionsInTab')}</h2>
          <div class="row" role="group">
            {all.map((s) => {
              const selected = session.value?.sessionId === s.sessionId;
              return (
                <button
                  type="button"
                  key={s.sessionId}
                  class={selected ? 'primary' : undefined}
                  aria-pressed={selected}
                  data-testid="session-choice"
                  data-user-id={s.userId}
                  data-device-id={s.deviceId}
                  data-session-id={s.sessionId}
                  onClick={() => (session.value = s)}
                >
                  <span class="mono">{visible(s.userId)}</span> · <span class="mono">{s.deviceId ? visible(s.deviceId) : t('unknownDevice')}</span> · {s.app}
                </button>
              );
            })}
          </div>
        </>
      )}
      {unusable.length > 0 && (
        <details data-testid="session-rejected">
          <summary>{tp('moreSessions', unusable.length)}</summary>
          <ul>
            {unusable.map((r, i) => (
              <li key={i} data-code={r.code}>
                {r.userId ? <span class="mono">{visible(r.userId)} </span> : null}({r.app}): {visible(wordsText(r))}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
