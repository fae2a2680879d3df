import { useEffect } from 'preact/hooks';
import { send } from '../ext/messaging.ts';
import { ManualForm } from './components/manual-form.tsx';
import { SessionCard } from './components/session-card.tsx';
import { error, loading, session, tabId } from './state.ts';
import { targetTabId } from './target.ts';

export function App() {
  useEffect(() => {
    void (async () => {
      try {
        tabId.value = await targetTabId();
        session.value = await send('getSession', tabId.value === undefined ? {} : { tabId: tabId.value });
      } catch (e) {
        error.value = e instanceof Error ? e.message : String(e);
      } finally {
        loading.value = false;
      }
    })();
  }, []);

  return (
    <main data-testid="app" data-loading={String(loading.value)}>
      <h1>Cross-Signing Doctor</h1>
      {error.value && <p class="error" role="alert" data-testid="error">{error.value}</p>}
      {loading.value ? <p class="muted">Loading…</p> : session.value ? <SessionCard session={session.value} /> : <ManualForm />}
    </main>
  );
}
