import { useEffect } from 'preact/hooks';
import { ManualForm } from './components/manual-form.tsx';
import { SessionCard } from './components/session-card.tsx';
import { StatusReport } from './components/status-report.tsx';
import { SessionError } from './components/session-error.tsx';
import { AccessLapsed } from './components/access-lapsed.tsx';
import { SessionPicker } from './components/session-picker.tsx';
import { loadTabSessions, loading, session, showError, tabId } from './state.ts';
import { isDetached, openDetachedUi } from '../ext/detach.ts';
import { t } from './i18n.ts';

export function App() {
  useEffect(() => void loadTabSessions(), []);

  return (
    <main data-testid="app" data-loading={String(loading.value)} data-tab-id={tabId.value === undefined ? '' : String(tabId.value)}>
      <div class="row">
        <h1 style="flex:1">{t('extName')}</h1>
        {!isDetached() && (
          <button type="button" data-testid="ui-detach" title={t('detachTitle')}
            onClick={() => void openDetachedUi(tabId.value).catch(showError)}>{t('detachButton')}</button>
        )}
      </div>
      <SessionError />
      <AccessLapsed tabId={tabId.value} detached={isDetached()} />
      {loading.value ? (
        <p class="muted">{t('readingTab')}</p>
      ) : (
        <>
          <SessionPicker />
          {session.value ? (
        <>
          <SessionCard session={session.value} />
          <StatusReport session={session.value} />
        </>
      ) : <ManualForm />}
        </>
      )}
    </main>
  );
}
