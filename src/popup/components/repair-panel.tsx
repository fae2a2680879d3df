import { useEffect, useRef, useState } from 'preact/hooks';
import { send } from '../../ext/messaging.ts';
import type { AuthPageVerdict, RepairFlowView } from '../../ext/protocol.ts';
import { REPAIR_KINDS, type RepairKind } from '../../core/repair/repair-kinds.ts';
import { visible, visibleJson } from '../visible-text.ts';
import { KEEP_VERIFIED_STEP_ID, SIGN_USERS_STEP_ID } from '../../core/repair/plan-users.ts';
import { authOfferText, stepAuthHint } from '../words.ts';
import { RepairToolbar } from './repair-toolbar.tsx';
import { ExportOffer, RecoveryKeyOffer, REPAIR_LABELS, RepairForm, type DeviceChoice } from './repair-form.tsx';

export { REPAIR_LABELS };

export const isExtRepair = (kind: string | undefined): kind is RepairKind =>
  (REPAIR_KINDS as readonly string[]).includes(kind ?? '');

const POLL_MS = 300;
const active = (f: RepairFlowView | null): boolean => f !== null && (f.phase === 'running' || f.phase === 'prompt');
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The repair panel. The background runs the flow; this only shows its state (polled, so a
 * reopened popup finds it where it was) and forwards the user's answers. The recovery key and the
 * password go to the background in one message each and are never kept here or stored.
 */
/** Steps that sign other people's master keys: their body is keyed by user ID (src/core/repair/plan-users.ts). */
const USER_STEPS = [SIGN_USERS_STEP_ID, KEEP_VERIFIED_STEP_ID];

export function RepairPanel({ sessionId, healthy = false, account, host, writable, devices, verifiedUsers, requested, requestedUser, setsUpStorage = false, onRequestHandled, onRunning, onFinished }: {
  sessionId: string;
  /** The account has no problem: the destructive repairs sit behind "Advanced". */
  healthy?: boolean;
  /** The session's user ID and homeserver host: the password prompt names both. */
  account: string;
  host: string;
  /** The homeserver is proven the account's or confirmed: Run and the password are allowed (the background checks too). */
  writable: boolean;
  /** For the device picker of sign-devices. */
  devices: DeviceChoice[];
  /** For keep-verified: the people my current user-signing key verified (users report), null until it is read. */
  verifiedUsers?: string[] | null;
  /** A repair the user picked from a problem row. */
  requested: RepairKind | null;
  /** verify-user opened from a person's row: their user ID, filled in. */
  requestedUser?: string | null;
  /** A cause's repair is create-secret-storage: the fix form asks what the new storage is made from. */
  setsUpStorage?: boolean;
  onRequestHandled: () => void;
  /** Whether a flow runs or prompts (the verdict is then being repaired); not called for done or failed (see onFinished). */
  onRunning?: (running: boolean) => void;
  /** Called once per flow that finished or failed: re-read the status. */
  onFinished: () => void;
}) {
  const [flow, setFlow] = useState<RepairFlowView | null>(null);
  const [editing, setEditing] = useState<RepairKind | null>(null);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reloaded = useRef<string | null>(null);
  /** The export file of the previewed flow (PRIVATE): memory only, offered once. */
  const [exportFile, setExportFile] = useState<{ flowId: string; text: string; encrypted: boolean } | null>(null);
  const [exportSaved, setExportSaved] = useState(false);
  /** The new recovery key of the previewed flow (PRIVATE): memory only, shown once. */
  const [recovery, setRecovery] = useState<{ flowId: string; key: string } | null>(null);
  const [recoverySaved, setRecoverySaved] = useState(false);
  const passwordInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      try {
        const f = await send('repairState', { sessionId });
        if (!stopped) setFlow(f);
      } catch { /* the next poll retries */ }
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => { stopped = true; clearInterval(timer); };
  }, [sessionId]);

  useEffect(() => {
    if (requested !== null) {
      setEditing(requested);
      setError(null);
      onRequestHandled();
    }
  }, [requested]);

  // Running or prompting: the verdict is being repaired. Cancelled (or none): it is not. Done or
  // failed: it is until the re-read onFinished starts is in (the status report's concern).
  useEffect(() => {
    if (active(flow)) onRunning?.(true);
    else if (flow?.phase !== 'done' && flow?.phase !== 'failed') onRunning?.(false);
  }, [flow?.flowId, flow?.phase]);

  useEffect(() => {
    // Done or failed (a failure may still have changed the server): re-read the status once.
    if ((flow?.phase === 'done' || flow?.phase === 'failed') && reloaded.current !== flow.flowId) {
      reloaded.current = flow.flowId;
      onFinished();
    }
  }, [flow?.flowId, flow?.phase]);

  const act = async (fn: () => Promise<RepairFlowView>) => {
    setBusy(true);
    setError(null);
    try {
      setFlow(await fn());
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  const previewed = (f: RepairFlowView & { exportText?: string; exportEncrypted?: boolean; recoveryKey?: string }) => {
    const { exportText, exportEncrypted, recoveryKey, ...view } = f;
    setExportFile(exportText === undefined ? null : { flowId: view.flowId, text: exportText, encrypted: exportEncrypted === true });
    setExportSaved(false);
    setRecovery(recoveryKey === undefined ? null : { flowId: view.flowId, key: recoveryKey });
    setRecoverySaved(false);
    setFlow(view);
    setEditing(null);
    setDismissed(null);
  };

  const submitPassword = (event: Event) => {
    event.preventDefault();
    const input = passwordInput.current;
    const value = input?.value ?? '';
    if (input) input.value = '';
    if (flow && value) void act(() => send('repairPassword', { flowId: flow.flowId, password: value }));
  };

  const showFlow = flow !== null && (active(flow) || (editing === null && dismissed !== flow.flowId));

  if (!showFlow) {
    return (
      <section aria-label="Repairs" data-testid="repair-section">
        <RepairToolbar healthy={healthy} onOpen={(k) => { setEditing(k); setError(null); }} />
        {editing !== null && (
          <RepairForm key={`${editing}:${requestedUser ?? ''}`} sessionId={sessionId} kind={editing} devices={devices} userId={requestedUser ?? undefined} verifiedUsers={verifiedUsers ?? null}
            setsUpStorage={setsUpStorage} onPreview={previewed} onClose={() => setEditing(null)} />
        )}
      </section>
    );
  }

  const f = flow!;
  const prompt = f.prompt;
  return (
    <section aria-label="Repair" data-testid="repair-panel" data-kind={f.kind} data-phase={f.phase} data-flow-id={f.flowId}>
      <h2>{f.title}</h2>
      {/* A composed fix is one plan: one step list, one Run, at most one password. */}
      <div data-testid={f.kind === 'fix' ? 'fix-plan' : undefined} data-steps={String(f.steps.length)}>
      <ol data-testid="repair-preview">
        {f.steps.map((s, i) => (
          <li key={s.id} data-testid="repair-step" data-step-id={s.id} data-method={s.method} data-path={s.path} data-done={String(i < f.progress.completed)}>
            {i < f.progress.completed ? '✓ ' : ''}{s.title}
            {USER_STEPS.includes(s.id) && (
              <ul data-testid="repair-step-users">{Object.keys(s.body as object).map((u) => <li key={u} class="mono" data-testid="repair-step-user" data-user-id={u}>{visible(u)}</li>)}</ul>
            )}
            <div class="mono">{s.method} {s.path}</div>
            {s.uia && <div class="muted" data-testid="repair-step-auth">{stepAuthHint(f.authOffer)}</div>}
            <details><summary>Body</summary><pre class="mono">{visibleJson(s.body)}</pre></details>
          </li>
        ))}
      </ol>
      </div>
      {f.notes.length > 0 && <ul class="muted">{f.notes.map((n, i) => <li key={i}>{n}</li>)}</ul>}

      {f.phase === 'preview' && !writable && (
        <p class="error" role="alert" data-testid="repair-blocked">Run is blocked: {host} is not proven to be this account’s homeserver. Confirm the host in the session card first.</p>
      )}
      {f.phase === 'preview' && f.exportRequired === true && (
        <ExportOffer flow={f} text={exportFile?.flowId === f.flowId ? exportFile.text : null} encrypted={exportFile?.encrypted === true} saved={exportSaved} onSaved={setExportSaved} />
      )}
      {f.phase === 'preview' && f.recoveryKeyRequired === true && (
        <RecoveryKeyOffer flow={f} recoveryKey={recovery?.flowId === f.flowId ? recovery.key : null} saved={recoverySaved} onSaved={setRecoverySaved} />
      )}
      {f.phase === 'preview' && (
        <div class="row action-bar">
          <button type="button" disabled={busy || !writable || (f.exportRequired === true && !exportSaved) || (f.recoveryKeyRequired === true && !recoverySaved)} data-testid="repair-run"
            onClick={() => void act(() => send('repairStart', {
              flowId: f.flowId, ...(f.exportRequired === true ? { exportSaved } : {}), ...(f.recoveryKeyRequired === true ? { recoveryKeySaved: recoverySaved } : {}),
            }))}>Run</button>
          <button type="button" disabled={busy} data-testid="repair-cancel" onClick={() => void act(() => send('repairCancel', { flowId: f.flowId }))}>Cancel</button>
        </div>
      )}

      {active(f) && (
        <p data-testid="repair-progress" role="status">
          {f.progress.completed}/{f.progress.total} {f.progress.current ? `— ${f.progress.current}` : ''}
          {f.waitingMs !== undefined && <span class="muted"> (the homeserver asked us to wait {Math.ceil(f.waitingMs / 1000)} s)</span>}
          {f.status && <span class="muted"> {f.status}</span>}
        </p>
      )}

      {f.resumed && (
        <p class="muted" data-testid="repair-resumed" data-count={String(f.resumed.count)}>{f.resumed.message}</p>
      )}

      {f.authOffer && active(f) && (
        <p class="muted" data-testid="repair-auth-flows" data-chosen={f.authOffer.chosen ?? ''}>
          {authOfferText(f.authOffer)}
          {f.authOffer.message && <><br />{f.authOffer.message}</>}
        </p>
      )}
      {prompt?.kind === 'password' && (
        <form data-testid="repair-password-form" data-attempt={String(prompt.attempt)} onSubmit={submitPassword}>
          <p data-testid="repair-password-host" data-host={host}>Password for <span class="mono">{visible(account)}</span>, sent to <span class="mono">{host}</span>:</p>
          {prompt.error && <p class="error" role="alert" data-testid="repair-error">{prompt.error}</p>}
          <div class="row">
            {/* autocomplete off: a password manager would file the Matrix password under the extension's origin. */}
            <input ref={passwordInput} type="password" autocomplete="off" aria-label={`Password for ${visible(account)}, sent to ${host}`} data-testid="repair-password" style="flex:1" />
            <button type="submit" disabled={busy || !writable} data-testid="repair-password-submit">Confirm</button>
          </div>
        </form>
      )}
      {(prompt?.kind === 'approval' || prompt?.kind === 'fallback') && (
        <div data-testid="repair-approval" data-kind={prompt.kind}>
          {/* The URL is the homeserver's untrusted text: shown as text, never as a link. */}
          <p>
            {prompt.kind === 'approval' ? 'Approve the reset in your account settings: ' : 'Complete this step in the homeserver’s page: '}
            <span class="mono" data-testid="approval-url">{prompt.url}</span>
          </p>
          <AuthPageButton kind={prompt.kind} page={prompt.page} busy={busy} onOpen={() => void act(() => send('repairOpenPage', { flowId: f.flowId }))} />
          {prompt.kind === 'fallback' && (
            <button type="button" disabled={busy} data-testid="repair-fallback-done" onClick={() => void act(() => send('repairFallbackDone', { flowId: f.flowId }))}>Done</button>
          )}
        </div>
      )}
      {prompt?.kind === 'approval' && prompt.polls !== undefined && (
        <p class="muted" data-testid="repair-approval-status" data-polls={String(prompt.polls)}>
          Checked with the homeserver {prompt.polls} {prompt.polls === 1 ? 'time' : 'times'}; giving up after {Math.round((prompt.timeoutMs ?? 0) / 60_000)} min ({Math.round((prompt.elapsedMs ?? 0) / 1000)} s so far).
        </p>
      )}
      {active(f) && (
        <div class="row action-bar">
          <button type="button" disabled={busy} data-testid="repair-cancel" onClick={() => void act(() => send('repairCancel', { flowId: f.flowId }))}>Cancel</button>
        </div>
      )}

      {f.result && (
        <div data-testid="repair-result" data-outcome={f.result.outcome} role="status">
          <p class={f.result.outcome === 'success' ? 'good' : 'error'}>{f.result.message}</p>
          {f.result.failures?.map((x, i) => <p key={i} class="error mono" data-testid="repair-failure" data-user-id={x.userId}>{visible(x.userId)} {x.keyId}: {x.errcode} {x.message ?? ''}</p>)}
          {f.serverState && <p class="mono" data-testid="repair-server-state">{f.serverState}</p>}
          <button type="button" data-testid="repair-close" onClick={() => setDismissed(f.flowId)}>Close</button>
        </div>
      )}
      {error && !prompt && <p class="error" role="alert" data-testid="repair-error">{error}</p>}
    </section>
  );
}

/**
 * The one way a fallback / approval page opens: a click on a button naming the host it opens
 * (checked by the background, src/core/repair/auth-page.ts). A refused page gets the reason
 * instead; the polling, Done and Cancel still work.
 */
function AuthPageButton({ kind, page, busy, onOpen }: { kind: 'approval' | 'fallback'; page: AuthPageVerdict | undefined; busy: boolean; onOpen: () => void }) {
  if (page === undefined) return <p class="muted" data-testid="approval-checking">Checking the page’s address…</p>;
  if ('refused' in page) {
    return (
      <p class="error" role="alert" data-testid="approval-refused">
        This page is not opened: {page.refused}
      </p>
    );
  }
  return (
    <button type="button" disabled={busy} data-testid="open-approval" data-origin={page.opens.origin} onClick={onOpen}>
      Open {page.opens.host} to {kind === 'approval' ? 'approve' : 'continue'}
    </button>
  );
}
