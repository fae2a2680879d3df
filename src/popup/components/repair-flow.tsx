import type { Ref } from 'preact';
import type { AuthPageVerdict, RepairFlowView } from '../../ext/protocol.ts';
import { send } from '../../ext/messaging.ts';
import { KEEP_VERIFIED_STEP_ID, SIGN_USERS_STEP_ID } from '../../core/repair/user-step-ids.ts';
import { visible, visibleJson } from '../visible-text.ts';
import { authOfferText, stepAuthHint } from '../words.ts';
import { ExportOffer, RecoveryKeyOffer } from './repair-form.tsx';
import { activeFlow as active } from './flow-phase.ts';
import { t, tj, tp } from '../i18n.ts';
import { sayAgain } from '../said-again.ts';

/** Steps that sign other people's master keys: their body is keyed by user ID (src/core/repair/plan-users.ts). */
const USER_STEPS = [SIGN_USERS_STEP_ID, KEEP_VERIFIED_STEP_ID];

/**
 * A flow's plan, progress, prompts and result. The state lives in RepairPanel (which polls the
 * background); this view is in the lazily loaded repair chunk, since it only shows once a repair
 * has been opened (or a reopened popup finds one running).
 */
export function RepairFlow({ flow: f, host, account, writable, busy, error, exportFile, exportSaved, onExportSaved, recovery, recoverySaved, onRecoverySaved, passwordInput, act, onSubmitPassword, onDismiss }: {
  flow: RepairFlowView;
  host: string;
  account: string;
  writable: boolean;
  busy: boolean;
  error: string | null;
  exportFile: { flowId: string; text: string; encrypted: boolean } | null;
  exportSaved: boolean;
  onExportSaved: (v: boolean) => void;
  recovery: { flowId: string; key: string } | null;
  recoverySaved: boolean;
  onRecoverySaved: (v: boolean) => void;
  passwordInput: Ref<HTMLInputElement>;
  act: (fn: () => Promise<RepairFlowView>) => Promise<void>;
  onSubmitPassword: (event: Event) => void;
  onDismiss: (flowId: string) => void;
}) {
  const prompt = f.prompt;
  return (
    <section aria-label={t('repairLabel')} data-testid="repair-panel" data-kind={f.kind} data-phase={f.phase} data-flow-id={f.flowId}>
      <h2>{sayAgain(f.title)}</h2>
      {/* A composed fix is one plan: one step list, one Run, at most one password. */}
      <div data-testid={f.kind === 'fix' ? 'fix-plan' : undefined} data-steps={String(f.steps.length)}>
      <ol data-testid="repair-preview">
        {f.steps.map((s, i) => (
          <li key={s.id} data-testid="repair-step" data-step-id={s.id} data-method={s.method} data-path={s.path} data-done={String(i < f.progress.completed)}>
            {i < f.progress.completed ? '✓ ' : ''}{sayAgain(s.title)}
            {USER_STEPS.includes(s.id) && (
              <ul data-testid="repair-step-users">{Object.keys(s.body as object).map((u) => <li key={u} class="mono" data-testid="repair-step-user" data-user-id={u}>{visible(u)}</li>)}</ul>
            )}
            <div class="mono">{s.method} {s.path}</div>
            {s.uia && <div class="muted" data-testid="repair-step-auth">{stepAuthHint(f.authOffer)}</div>}
            <details><summary>{t('flowBody')}</summary><pre class="mono">{visibleJson(s.body)}</pre></details>
          </li>
        ))}
      </ol>
      </div>
      {f.notes.length > 0 && <ul class="muted">{f.notes.map((n, i) => <li key={i}>{sayAgain(n)}</li>)}</ul>}

      {f.phase === 'preview' && !writable && (
        <p class="error" role="alert" data-testid="repair-blocked">{t('runBlocked', host)}</p>
      )}
      {f.phase === 'preview' && f.exportRequired === true && (
        <ExportOffer flow={f} text={exportFile?.flowId === f.flowId ? exportFile.text : null} encrypted={exportFile?.encrypted === true} saved={exportSaved} onSaved={onExportSaved} />
      )}
      {f.phase === 'preview' && f.recoveryKeyRequired === true && (
        <RecoveryKeyOffer flow={f} recoveryKey={recovery?.flowId === f.flowId ? recovery.key : null} saved={recoverySaved} onSaved={onRecoverySaved} />
      )}
      {f.phase === 'preview' && (
        <div class="row action-bar">
          <button type="button" disabled={busy || !writable || (f.exportRequired === true && !exportSaved) || (f.recoveryKeyRequired === true && !recoverySaved)} data-testid="repair-run"
            onClick={() => void act(() => send('repairStart', {
              flowId: f.flowId, ...(f.exportRequired === true ? { exportSaved } : {}), ...(f.recoveryKeyRequired === true ? { recoveryKeySaved: recoverySaved } : {}),
            }))}>{t('run')}</button>
          <button type="button" disabled={busy} data-testid="repair-cancel" onClick={() => void act(() => send('repairCancel', { flowId: f.flowId }))}>{t('cancel')}</button>
        </div>
      )}

      {active(f) && (
        <p data-testid="repair-progress" role="status">
          {f.progress.completed}/{f.progress.total} {f.progress.current ? `— ${sayAgain(f.progress.current)}` : ''}
          {f.waitingMs !== undefined && <span class="muted">{t('waitAsked', Math.ceil(f.waitingMs / 1000))}</span>}
          {f.status && <span class="muted"> {sayAgain(f.status)}</span>}
        </p>
      )}

      {f.resumed && (
        <p class="muted" data-testid="repair-resumed" data-count={String(f.resumed.count)}>{sayAgain(f.resumed.message)}</p>
      )}

      {f.authOffer && active(f) && (
        <p class="muted" data-testid="repair-auth-flows" data-chosen={f.authOffer.chosen ?? ''}>
          {authOfferText(f.authOffer)}
          {f.authOffer.message && <><br />{sayAgain(f.authOffer.message)}</>}
        </p>
      )}
      {prompt?.kind === 'password' && (
        <form data-testid="repair-password-form" data-attempt={String(prompt.attempt)} onSubmit={onSubmitPassword}>
          <p data-testid="repair-password-host" data-host={host}>{tj('passwordFor', <span class="mono">{visible(account)}</span>, <span class="mono">{host}</span>)}</p>
          {prompt.error && <p class="error" role="alert" data-testid="repair-error">{sayAgain(prompt.error)}</p>}
          <div class="row">
            {/* autocomplete off: a password manager would file the Matrix password under the extension's origin. */}
            <input ref={passwordInput} type="password" autocomplete="off" aria-label={t('passwordForLabel', visible(account), host)} data-testid="repair-password" style="flex:1" />
            <button type="submit" disabled={busy || !writable} data-testid="repair-password-submit">{t('confirm')}</button>
          </div>
        </form>
      )}
      {(prompt?.kind === 'approval' || prompt?.kind === 'fallback') && (
        <div data-testid="repair-approval" data-kind={prompt.kind}>
          {/* The URL is the homeserver's untrusted text: shown as text, never as a link. */}
          <p>
            {t(prompt.kind === 'approval' ? 'approveInSettings' : 'completeOnPage')}
            <span class="mono" data-testid="approval-url">{prompt.url}</span>
          </p>
          <AuthPageButton kind={prompt.kind} page={prompt.page} busy={busy} onOpen={() => void act(() => send('repairOpenPage', { flowId: f.flowId }))} />
          {prompt.kind === 'fallback' && (
            <button type="button" disabled={busy} data-testid="repair-fallback-done" onClick={() => void act(() => send('repairFallbackDone', { flowId: f.flowId }))}>{t('done')}</button>
          )}
        </div>
      )}
      {prompt?.kind === 'approval' && prompt.polls !== undefined && (
        <p class="muted" data-testid="repair-approval-status" data-polls={String(prompt.polls)}>
          {tp('approvalPolls', prompt.polls, Math.round((prompt.timeoutMs ?? 0) / 60_000), Math.round((prompt.elapsedMs ?? 0) / 1000))}
        </p>
      )}
      {active(f) && (
        <div class="row action-bar">
          <button type="button" disabled={busy} data-testid="repair-cancel" onClick={() => void act(() => send('repairCancel', { flowId: f.flowId }))}>{t('cancel')}</button>
        </div>
      )}

      {f.result && (
        <div data-testid="repair-result" data-outcome={f.result.outcome} role="status">
          <p class={f.result.outcome === 'success' ? 'good' : 'error'}>{sayAgain(f.result.message)}</p>
          {f.result.failures?.map((x, i) => <p key={i} class="error mono" data-testid="repair-failure" data-user-id={x.userId}>{visible(x.userId)} {x.keyId}: {x.errcode} {x.message ?? ''}</p>)}
          {f.serverState && <p class="mono" data-testid="repair-server-state">{sayAgain(f.serverState)}</p>}
          <button type="button" data-testid="repair-close" onClick={() => onDismiss(f.flowId)}>{t('closePane')}</button>
        </div>
      )}
      {error && !prompt && <p class="error" role="alert" data-testid="repair-error">{sayAgain(error)}</p>}
    </section>
  );
}

/**
 * The one way a fallback / approval page opens: a click on a button naming the host it opens
 * (checked by the background, src/core/repair/auth-page.ts). A refused page gets the reason
 * instead; the polling, Done and Cancel still work.
 */
function AuthPageButton({ kind, page, busy, onOpen }: { kind: 'approval' | 'fallback'; page: AuthPageVerdict | undefined; busy: boolean; onOpen: () => void }) {
  if (page === undefined) return <p class="muted" data-testid="approval-checking">{t('checkingPageAddress')}</p>;
  if ('refused' in page) {
    return (
      <p class="error" role="alert" data-testid="approval-refused">
        {t('pageNotOpened', sayAgain(page.refused))}
      </p>
    );
  }
  return (
    <button type="button" disabled={busy} data-testid="open-approval" data-origin={page.opens.origin} onClick={onOpen}>
      {t(kind === 'approval' ? 'openToApprove' : 'openToContinue', page.opens.host)}
    </button>
  );
}
