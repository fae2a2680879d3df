import { useEffect } from 'preact/hooks';
import { ManualForm } from './components/manual-form.tsx';
import { SessionCard } from './components/session-card.tsx';
import { StatusReport } from './components/status-report.tsx';
import { SessionError } from './components/session-error.tsx';
import { SessionPicker } from './components/session-picker.tsx';
import { loadTabSessions, loading, session } from './state.ts';

export function App() {
  useEffect(() => void loadTabSessions(), []);

  return (
    <main data-testid="app" data-loading={String(loading.value)}>
      <h1>Cross-Signing Doctor</h1>
      <SessionError />
      {loading.value ? (
        <p class="muted">Reading this tab…</p>
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
