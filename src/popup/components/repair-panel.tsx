import { errorText } from '../error-text.ts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { send } from '../../ext/messaging.ts';
import type { RepairFlowView } from '../../ext/protocol.ts';
import { REPAIR_KINDS, type RepairKind } from '../../core/repair/repair-kinds.ts';
import { RepairToolbar } from './repair-toolbar.tsx';
import type { DeviceChoice } from './repair-form.tsx';
import { useRepairViews } from './lazy-repair-views.ts';
import { activeFlow as active } from './flow-phase.ts';
import { t } from '../i18n.ts';

export const isExtRepair = (kind: string | undefined): kind is RepairKind =>
  (REPAIR_KINDS as readonly string[]).includes(kind ?? '');

const POLL_MS = 300;

/**
 * The repair panel. The background runs the flow; this only shows its state (polled, so a
 * reopened popup finds it where it was) and forwards the user's answers. The recovery key and the
 * password go to the background in one message each and are never kept here or stored. The form
 * and the flow view are in the lazily loaded repair chunk (./repair-views.ts): the toolbar and the
 * poll are here, so a running flow is found at once and the chunk is fetched only when a form or a
 * flow is to be shown.
 */
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
      setError(errorText(e));
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
  const lazy = useRepairViews(showFlow || editing !== null);
  const loadingLine = lazy.error !== null
    ? <p class="error" role="alert" data-testid="repair-error">{lazy.error} <button type="button" data-testid="repair-load-retry" onClick={lazy.retry}>{t('retry')}</button></p>
    : <p class="muted" role="status" data-testid="repair-loading">{t('loadingRepair')}</p>;

  if (!showFlow) {
    const Form = lazy.views?.RepairForm;
    return (
      <section aria-label={t('repairsLabel')} data-testid="repair-section" data-repair-chunk={lazy.views ? 'loaded' : 'not-loaded'}>
        <RepairToolbar healthy={healthy} onOpen={(k) => { setEditing(k); setError(null); }} />
        {editing !== null && (Form
          ? <Form key={`${editing}:${requestedUser ?? ''}`} sessionId={sessionId} kind={editing} devices={devices} userId={requestedUser ?? undefined} verifiedUsers={verifiedUsers ?? null} setsUpStorage={setsUpStorage}
            onPreview={previewed} onClose={() => setEditing(null)} />
          : loadingLine)}
      </section>
    );
  }

  const Flow = lazy.views?.RepairFlow;
  if (!Flow) {
    return (
      <section aria-label={t('repairLabel')}>{loadingLine}</section>
    );
  }
  return (
    <Flow flow={flow!} host={host} account={account} writable={writable} busy={busy} error={error}
      exportFile={exportFile} exportSaved={exportSaved} onExportSaved={setExportSaved}
      recovery={recovery} recoverySaved={recoverySaved} onRecoverySaved={setRecoverySaved}
      passwordInput={passwordInput} act={act} onSubmitPassword={submitPassword} onDismiss={setDismissed} />
  );
}
