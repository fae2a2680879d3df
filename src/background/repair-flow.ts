/**
 * Repair flows run by the background: the popup only renders a flow's state and answers its
 * prompts (repairState is polled), so closing and reopening the popup finds the flow where it was.
 *
 * Invariants:
 * - One flow at a time per session: previewing or starting while a flow runs returns the running
 *   flow (double clicks never start a second one).
 * - The plan is built completely at preview time (src/core/app/prepare-repair.ts, shared with the
 *   CLI); every private key it needed (seeds, secret-storage key) is wiped right after, so a
 *   running flow holds no private key. The recovery key / passphrase lives only for the preview.
 * - The password arrives in one repairPassword message and is handed to exactly one UIA attempt;
 *   it is never stored, mirrored or echoed.
 * - The flow state (RepairFlowView) is kept in memory and mirrored to storage.session: plain JSON
 *   with the public plan, progress and prompts, no token, no password, no recovery key. Beside it
 *   the run itself is mirrored (MirroredRun: the plan and its RepairProgress, written before the
 *   next step is sent): the plan holds ciphertexts and public data only, and running it needs no
 *   private key (src/core/repair/plans.ts), so nothing a resume needs exists only in memory.
 * - Resume (docs/design.md#repair-resume): a background the browser stopped (Chrome stops an idle
 *   worker after ~30 s; Firefox unloads an idle event page) restores its flows when the popup next
 *   talks to it. A previewed flow is previewed again as it was; a running or prompting one
 *   continues the SAME plan (same keys) after its completed steps. The step that was in flight is
 *   first checked against the homeserver (step-applied.ts), never re-sent blindly. A password
 *   prompt is asked again (the password was never stored); an approval wait starts polling again.
 *   A previewed plan whose keys live only in an export file is not restored: its export text was
 *   shown once and may be gone with the popup, so it is reported stopped and previewed anew.
 * - A fallback or approval page is opened only when the user clicks for it (repairOpenPage), and
 *   only if it passed the checks of src/core/repair/auth-page.ts: https (http on loopback), on
 *   the homeserver's origin or one it advertises. The homeserver is not trusted to name the page:
 *   anything else is shown as text with the reason, never opened.
 * - The page's window (src/ext/auth-window.ts) has no opener, so the page cannot navigate an
 *   extension page; it is closed as soon as the prompt is over, whichever way (Done, a poll that
 *   found the step completed, approval, cancel).
 */
import type { MatrixClient } from '../core/matrix/client.ts';
import { RepairCancelledError } from '../core/repair/errors.ts';
import { executePlan } from '../core/repair/execute.ts';
import { verifiedByRun } from '../core/app/remember-verified.ts';
import type { VerifiedKey } from '../core/users/verified-memory.ts';
import { startProgress, type RepairPlan, type RepairProgress, type SignatureFailure } from '../core/repair/plans.ts';
import type { UiaPrompter } from '../core/repair/uia-prompter.ts';
import type { AuthPageVerdict, RepairFlowView, RepairPrompt } from '../ext/protocol.ts';
import { vetAuthPage } from '../core/repair/auth-origins.ts';
import { MAX_AUTH_PAGE_URL } from '../core/repair/auth-page.ts';
import { isRepairKind } from '../core/app/repair-request.ts';
import { describeServerKeys } from '../core/repair/server-state.ts';
import { redactedRequestBody } from '../core/inspect/redaction.ts';
import { planFlow, RepairFlowError, type PreviewRequest } from './repair-plan.ts';
import { failureMessage, outcomeMessage, stoppedByRestart } from './repair-outcome.ts';
import { say } from '../core/words/say.ts';

/**
 * While a fallback page is open, resend with `{session}` this often: the page's authDone never
 * reaches us (the page is opened without an opener, src/ext/auth-window.ts), and the user may not
 * come back to press Done. Long enough not to hammer the homeserver with full key uploads.
 */
const FALLBACK_POLL_MS = 5_000;
const TERMINAL = new Set<RepairFlowView['phase']>(['done', 'failed', 'cancelled']);

/** What a resumed flow says, by the prompt asked again: stopped after some steps, or at one. */
const RESUMED_AFTER = {
  none: 'core_base_resumed_after', password: 'core_base_resumed_after_password',
  approval: 'core_base_resumed_after_approval', fallback: 'core_base_resumed_after_fallback',
} as const;
const RESUMED_AT = {
  none: 'core_base_resumed_at', password: 'core_base_resumed_at_password',
  approval: 'core_base_resumed_at_approval', fallback: 'core_base_resumed_at_fallback',
} as const;
export const isActive = (view: RepairFlowView): boolean => view.phase === 'running' || view.phase === 'prompt';

export { RepairFlowError };

interface Flow {
  view: RepairFlowView;
  plan: RepairPlan;
  /** Steps completed so far; mirrored before the next step is sent. */
  progress: RepairProgress;
  abort: AbortController;
  /** Resolves the pending password prompt (null = cancel). */
  answerPassword?: (password: string | null) => void;
  /** Resolves a pending fallback page (false = cancel). */
  answerFallback?: (done: boolean) => void;
  /** The auth window of the current fallback/approval prompt, once it exists. */
  authWindow?: OpenedWindow;
  /** Identifies the latest window request, so a window that opens after its prompt ended is closed. */
  windowRequest?: object;
  /** The current prompt's page, once it passed the checks: the only URL repairOpenPage opens. */
  page?: { url: string; check: object };
  /**
   * The window a stopped background opened for this flow's prompt: left open on resume (the
   * person may be approving in it), closed once the flow is over.
   */
  strayWindowId?: number;
}

/** A window the background opened for a prompt (src/ext/auth-window.ts in the extension). */
export interface OpenedWindow {
  windowId: number;
  close(): Promise<void>;
}

/**
 * What a restarted background needs to continue a flow: plain JSON, ciphertexts and public data
 * only (no token, password, recovery key or seed).
 */
export interface MirroredRun {
  flowId: string;
  plan: RepairPlan;
  progress: RepairProgress;
  /** The window opened for the current prompt, to close it once the flow is over. */
  windowId?: number;
}

/** The mirror, per session: what the popup shows, and the run behind a flow that is not over. */
export interface FlowMirror {
  views: Record<string, RepairFlowView>;
  runs: Record<string, MirroredRun>;
}

export interface FlowDeps {
  client: (sessionId: string) => Promise<MatrixClient>;
  session: (sessionId: string) => Promise<{ userId: string; deviceId: string }>;
  /** Write the mirror, per session (storage.session in the extension). */
  mirror: (state: FlowMirror) => Promise<void>;
  /** Read the mirror back (after the background was restarted). */
  restore: () => Promise<Partial<FlowMirror> | undefined>;
  /** Open the window where the user completes a fallback/approval prompt (none: the URL stays text in the popup). */
  openAuthWindow?: (flowId: string, sessionId: string, url: string) => Promise<OpenedWindow | undefined>;
  /** Close a window an earlier background instance opened (by its mirrored ID). */
  closeWindow?: (windowId: number) => Promise<void>;
  /** For reading the homeserver's advertised auth origins (default: the global fetch). */
  fetch?: typeof fetch;
  now?: () => Date;
  /** Remember the people a run verified (its completed sign-users / keep-verified steps); a failure to is ignored. */
  rememberVerified?: (sessionId: string, verified: VerifiedKey[]) => Promise<void>;
}

/** The flow manager; one per background instance. */
export function createFlowManager(deps: FlowDeps) {
  const flows = new Map<string, Flow>();
  /** sessionId → flowId of its latest flow. */
  const latest = new Map<string, string>();
  const now = deps.now ?? (() => new Date());
  const mirror = deps.mirror;
  let mirroring: Promise<void> = Promise.resolve();

  /** Views read back from the mirror and not restored as flows (over, or stopped): kept in it. */
  const kept: Record<string, RepairFlowView> = {};
  let restoring: Promise<void> | undefined;

  const snapshot = (flow: Flow): RepairFlowView => structuredClone(flow.view);

  const persist = (): Promise<void> => {
    const state: FlowMirror = { views: { ...kept }, runs: {} };
    for (const [sessionId, flowId] of latest) {
      const f = flows.get(flowId);
      if (!f) continue;
      state.views[sessionId] = f.view;
      if (f.view.phase === 'preview' || isActive(f.view)) {
        const windowId = f.authWindow?.windowId ?? f.strayWindowId;
        state.runs[sessionId] = { flowId, plan: f.plan, progress: f.progress, ...(windowId === undefined ? {} : { windowId }) };
      }
    }
    const copy = structuredClone(state);
    // A failed write loses the display state and the ability to resume, never a key: go on.
    mirroring = mirroring.then(() => mirror(copy)).catch(() => {});
    return mirroring;
  };

  const closeAuthWindow = (flow: Flow): void => {
    const w = flow.authWindow;
    delete flow.authWindow;
    delete flow.windowRequest;
    if (w !== undefined) void w.close(); // close() swallows its own errors
  };

  const openAuthWindow = (flow: Flow, url: string): void => {
    closeAuthWindow(flow);
    if (deps.openAuthWindow === undefined) return;
    const request = {};
    flow.windowRequest = request;
    deps.openAuthWindow(flow.view.flowId, flow.view.sessionId, url).then((w) => {
      if (w === undefined) return;
      if (flow.windowRequest === request) {
        flow.authWindow = w;
        void persist(); // a restarted background can close it
      } else void w.close(); // the prompt ended while the window was opening
    }, () => { /* no window: the popup's link and Done button still complete the step */ });
  };

  const update = (flow: Flow, patch: Partial<RepairFlowView>, drop: (keyof RepairFlowView)[] = []): void => {
    const next: RepairFlowView = { ...flow.view, ...patch, updatedAt: now().toISOString() };
    for (const k of drop) delete next[k];
    flow.view = next;
    if (next.prompt?.kind !== 'fallback' && next.prompt?.kind !== 'approval') {
      closeAuthWindow(flow);
      delete flow.page;
    }
    if (TERMINAL.has(next.phase) && flow.strayWindowId !== undefined) {
      void deps.closeWindow?.(flow.strayWindowId).catch(() => {});
      delete flow.strayWindowId;
    }
    void persist();
  };

  const running = (sessionId: string): Flow | undefined => {
    const id = latest.get(sessionId);
    const f = id === undefined ? undefined : flows.get(id);
    return f !== undefined && isActive(f.view) ? f : undefined;
  };

  const get = (flowId: string): Flow => {
    const f = flows.get(flowId);
    if (!f) throw new RepairFlowError('unknown-flow', say('core_base_flow_unknown'));
    return f;
  };

  async function preview(req: PreviewRequest): Promise<RepairFlowView & { exportText?: string; exportEncrypted?: boolean; recoveryKey?: string }> {
    await ready();
    const busy = running(req.sessionId);
    if (busy) return snapshot(busy);
    if (!isRepairKind(req.kind)) throw new RepairFlowError('bad-input', say('core_base_flow_unknown_kind', req.kind));
    const built = await planFlow(deps, req);
    // A concurrent preview may have started a flow meanwhile.
    const raced = running(req.sessionId);
    if (raced) return snapshot(raced);
    const { plan } = built;
    const flowId = crypto.randomUUID();
    const flow: Flow = {
      plan,
      progress: startProgress(plan, now()),
      abort: new AbortController(),
      view: {
        flowId, sessionId: req.sessionId, kind: req.kind, title: plan.title, planId: plan.id, phase: 'preview',
        steps: plan.steps.map((s) => ({ id: s.id, title: s.title, method: s.request.method, path: s.request.path, body: redactedRequestBody(s.request.body), uia: s.uia })),
        notes: [...plan.notes, ...built.remarks],
        progress: { completed: 0, total: plan.steps.length },
        publicKeys: { ...plan.publicKeys },
        ...(plan.safeguard === 'export-confirmed' ? { exportRequired: true } : {}),
        ...(built.recoveryKey === undefined ? {} : { recoveryKeyRequired: true }),
        updatedAt: now().toISOString(),
      },
    };
    // Forget this session's previous (finished or never run) flow.
    const previous = latest.get(req.sessionId);
    if (previous !== undefined) flows.delete(previous);
    delete kept[req.sessionId];
    flows.set(flowId, flow);
    latest.set(req.sessionId, flowId);
    await persist();
    // The export text goes to the popup once, in this response, and nowhere else.
    // So does a new recovery key (docs/repairs.md#create-secret-storage): never persisted, never sent again.
    return {
      ...snapshot(flow),
      ...(built.exportText === undefined ? {} : { exportText: built.exportText, exportEncrypted: built.exportEncrypted === true }),
      ...(built.recoveryKey === undefined ? {} : { recoveryKey: built.recoveryKey }),
    };
  }

  /** The server state after a stop, or why it could not be read (never throws). */
  async function serverState(sessionId: string, planKeys: RepairFlowView['publicKeys']): Promise<string> {
    try {
      const [{ userId }, client] = await Promise.all([deps.session(sessionId), deps.client(sessionId)]);
      return (await describeServerKeys(client, userId, planKeys ?? {})).text;
    } catch (error) {
      return say('core_base_flow_reread_failed', error instanceof Error ? error.message : String(error));
    }
  }

  /**
   * Show a fallback / approval prompt, then decide (asynchronously: it may read the homeserver's
   * auth metadata) whether its page may be opened. Nothing is opened here: only repairOpenPage does.
   */
  const askPage = (flow: Flow, baseUrl: string, kind: 'fallback' | 'approval', url: string): void => {
    closeAuthWindow(flow);
    const check = {};
    flow.page = { url: '', check };
    const shown = url.length > MAX_AUTH_PAGE_URL ? `${url.slice(0, 200)}…` : url;
    update(flow, { phase: 'prompt', prompt: { kind, url: shown } }, ['waitingMs']);
    const settle = (page: AuthPageVerdict, opens?: string): void => {
      const prompt = flow.view.prompt;
      // The prompt ended or was replaced meanwhile: this verdict is for nothing on screen.
      if (flow.page?.check !== check || prompt?.kind !== kind || prompt.url !== shown) return;
      flow.page = { url: opens ?? '', check };
      update(flow, { prompt: { ...prompt, page } });
    };
    vetAuthPage(url, baseUrl, deps.fetch ?? ((input, init) => fetch(input, init)), flow.abort.signal)
      .then((r) => settle(r.ok ? { opens: { origin: r.value.origin, host: r.value.host } } : { refused: r.error.reason }, r.ok ? r.value.url : undefined),
        (e: unknown) => settle({ refused: say('core_base_flow_page_unchecked', e instanceof Error ? e.message : String(e)) }));
  };

  /** `baseUrl`: the homeserver the flow talks to, the one origin its pages may always be on. */
  function prompter(flow: Flow, baseUrl: string): UiaPrompter {
    const ask = (prompt: RepairPrompt) => update(flow, { phase: 'prompt', prompt }, ['waitingMs']);
    return {
      flowsOffered: async (offer) => {
        const name = (f: { stages: string[] }) => f.stages.join(' → ');
        const chosen = offer.flows.find((f) => f.index === offer.recommended);
        update(flow, { authOffer: { flows: offer.flows.map(name), chosen: chosen === undefined ? null : name(chosen), ...(offer.message === undefined ? {} : { message: offer.message }) } });
        return offer.recommended;
      },
      askPassword: (attempt) => new Promise<string | null>((resolve) => {
        flow.answerPassword = (password) => {
          delete flow.answerPassword;
          update(flow, { phase: 'running' }, ['prompt']);
          resolve(password);
        };
        ask({ kind: 'password', attempt: attempt.attempt, ...(attempt.error === undefined ? {} : { error: attempt.error }) });
      }),
      openFallback: (url, _stage, over) => new Promise<boolean>((resolve) => {
        const answer = (done: boolean): void => {
          if (flow.answerFallback !== answer) return;
          delete flow.answerFallback;
          update(flow, { phase: 'running' }, ['prompt']);
          resolve(done);
        };
        flow.answerFallback = answer;
        // The driver found the stage completed by polling: a late Done must not act.
        over?.addEventListener('abort', () => { if (flow.answerFallback === answer) delete flow.answerFallback; }, { once: true });
        askPage(flow, baseUrl, 'fallback', url);
      }),
      openApproval: async (url) => {
        askPage(flow, baseUrl, 'approval', url);
      },
      onWaiting: (ms) => update(flow, { waitingMs: ms }),
      onState: (state) => {
        if (state.phase === 'done' || state.phase === 'sending') update(flow, { status: state.text, phase: 'running' }, ['prompt', 'waitingMs']);
        else if (state.phase === 'approval' && flow.view.prompt?.kind === 'approval') {
          // Visible progress while polling: how often we asked, and how long is left (docs/matrix-api.md#uia-oauth).
          update(flow, { status: state.text, prompt: { ...flow.view.prompt, polls: state.polls, elapsedMs: state.elapsedMs, timeoutMs: state.timeoutMs } });
        } else update(flow, { status: state.text });
      },
    };
  }

  /** The people the run's completed user steps signed, remembered even when a later step failed. */
  async function remember(flow: Flow, failures: readonly SignatureFailure[], progress: RepairProgress = flow.progress): Promise<void> {
    const verified = verifiedByRun(flow.plan, progress, failures);
    if (verified.length === 0 || deps.rememberVerified === undefined) return;
    await deps.rememberVerified(flow.view.sessionId, verified).catch(() => undefined);
  }

  /** Run the flow's plan from its progress; `resumed`: an earlier instance may have sent the next step. */
  async function run(flow: Flow, resumed = false): Promise<void> {
    const { plan } = flow;
    let currentStep: string | undefined;
    try {
      const client = await deps.client(flow.view.sessionId);
      const outcome = await executePlan(plan, {
        client, ui: prompter(flow, client.baseUrl), signal: flow.abort.signal, uia: { fallbackPollMs: FALLBACK_POLL_MS },
        progress: flow.progress, resumed,
        // Mirrored before the next step is sent: a restart re-checks at most the one step after it.
        onProgress: async (progress) => {
          flow.progress = progress;
          await persist();
        },
        onStep: (e) => {
          const title = plan.steps[e.index]?.title ?? e.stepId;
          if (e.phase === 'start') {
            currentStep = title;
            update(flow, { progress: { completed: e.index, total: e.total, current: title } });
          } else {
            update(flow, { progress: { completed: e.index + 1, total: e.total } });
          }
        },
      });
      await remember(flow, outcome.failures, outcome.progress);
      // Per user and key: a verify-user or keep-verified failure names the person (signatures/upload answers per user).
      const failures = outcome.failures.map((f) => ({ userId: f.userId, keyId: f.keyId, errcode: f.errcode, ...(f.message === undefined ? {} : { message: f.message }) }));
      if (failures.length > 0) {
        const message = outcomeMessage(plan, { kind: 'rejected', failures: outcome.failures });
        update(flow, { phase: 'failed', result: { outcome: 'failed', message, failures }, error: { message } }, ['prompt', 'waitingMs']);
      } else {
        update(flow, { phase: 'done', result: { outcome: 'success', message: outcomeMessage(plan, { kind: 'success' }) } }, ['prompt', 'waitingMs']);
      }
    } catch (error) {
      await remember(flow, []);
      const cancelled = error instanceof RepairCancelledError || flow.abort.signal.aborted;
      const message = failureMessage(error, plan, flow.view.progress.completed);
      const state = cancelled ? undefined : await serverState(flow.view.sessionId, flow.view.publicKeys);
      const named = currentStep === undefined ? message : `${currentStep}: ${message}`;
      update(flow, {
        phase: cancelled ? 'cancelled' : 'failed',
        result: { outcome: cancelled ? 'cancelled' : 'failed', message: named },
        error: { ...(currentStep === undefined ? {} : { step: currentStep }), message },
        ...(state === undefined ? {} : { serverState: state }),
      }, ['prompt', 'waitingMs']);
    }
  }

  function start(flowId: string, exportSaved = false, recoveryKeySaved = false): RepairFlowView {
    const flow = get(flowId);
    const busy = running(flow.view.sessionId);
    if (busy) return snapshot(busy);
    if (flow.view.phase !== 'preview') return snapshot(flow);
    if (flow.view.exportRequired === true && !exportSaved) {
      throw new RepairFlowError('export-not-saved', say('core_base_flow_export_not_saved'));
    }
    if (flow.view.recoveryKeyRequired === true && !recoveryKeySaved) {
      throw new RepairFlowError('recovery-key-not-saved', say('core_base_flow_recovery_key_not_saved'));
    }
    update(flow, { phase: 'running' });
    void run(flow);
    return snapshot(flow);
  }

  function password(flowId: string, value: string): RepairFlowView {
    const flow = get(flowId);
    if (flow.view.prompt?.kind !== 'password' || flow.answerPassword === undefined) {
      throw new RepairFlowError('no-prompt', say('core_base_flow_no_password_prompt'));
    }
    flow.answerPassword(value);
    return snapshot(flow);
  }

  function fallbackDone(flowId: string): RepairFlowView {
    const flow = get(flowId);
    if (flow.view.prompt?.kind !== 'fallback' || flow.answerFallback === undefined) {
      throw new RepairFlowError('no-prompt', say('core_base_flow_no_page_prompt'));
    }
    flow.answerFallback(true);
    return snapshot(flow);
  }

  /** The user clicked to open the current prompt's page: only a page that passed the checks opens. */
  function openPage(flowId: string): RepairFlowView {
    const flow = get(flowId);
    const prompt = flow.view.prompt;
    if ((prompt?.kind !== 'fallback' && prompt?.kind !== 'approval') || flow.page === undefined) {
      throw new RepairFlowError('no-prompt', say('core_base_flow_no_page_prompt'));
    }
    if (prompt.page === undefined || !('opens' in prompt.page) || flow.page.url === '') {
      throw new RepairFlowError('page-refused', prompt.page !== undefined && 'refused' in prompt.page
        ? say('core_base_flow_page_refused', prompt.page.refused) : say('core_base_flow_page_checking'));
    }
    openAuthWindow(flow, flow.page.url);
    return snapshot(flow);
  }

  function cancel(flowId: string): RepairFlowView {
    const flow = get(flowId);
    if (flow.view.phase === 'preview') {
      update(flow, { phase: 'cancelled', result: { outcome: 'cancelled', message: say('core_base_flow_cancelled') } });
    } else if (!TERMINAL.has(flow.view.phase)) {
      flow.answerPassword?.(null);
      flow.answerFallback?.(false);
      flow.abort.abort();
    }
    return snapshot(flow);
  }

  async function state(sessionId: string): Promise<RepairFlowView | null> {
    await ready();
    const id = latest.get(sessionId);
    const f = id === undefined ? undefined : flows.get(id);
    if (f) return snapshot(f);
    const view = kept[sessionId];
    if (view === undefined) return null;
    if (view.phase === 'preview' || isActive(view)) {
      // Mirrored without a run this instance can continue: reported stopped, naming where.
      const stopped = stoppedByRestart(view, view.phase === 'preview' ? say('core_base_flow_nothing_sent') : await serverState(sessionId, view.publicKeys), now());
      // Reported once, the same way on every read: the mirror now holds the failed view.
      if (kept[sessionId] === view) {
        kept[sessionId] = stopped;
        await persist();
      }
      return structuredClone(kept[sessionId] ?? stopped);
    }
    return structuredClone(view);
  }

  /**
   * Once per background instance, before any flow message is answered: read the mirror back and
   * restore its flows (docs/design.md#repair-resume). Running or prompting flows continue at once:
   * the popup is asking, so someone is there to answer a prompt.
   */
  function ready(): Promise<void> {
    restoring ??= restoreAll();
    return restoring;
  }

  async function restoreAll(): Promise<void> {
    let saved: Partial<FlowMirror> | undefined;
    try {
      saved = await deps.restore();
    } catch {
      return; // nothing readable: nothing to restore
    }
    const toResume: Flow[] = [];
    for (const [sessionId, view] of Object.entries(saved?.views ?? {})) {
      if (latest.has(sessionId)) continue;
      const run = saved?.runs?.[sessionId];
      const restorable = (view.phase === 'preview' || isActive(view)) && run !== undefined && run.flowId === view.flowId
        && run.plan?.id === view.planId && run.progress?.planId === view.planId
        // The export text was shown once, in the preview's answer: a new preview makes a new one.
        && !(view.phase === 'preview' && view.exportRequired === true);
      if (!restorable) {
        kept[sessionId] = view;
        continue;
      }
      const flow: Flow = {
        view, plan: run.plan, progress: run.progress, abort: new AbortController(),
        ...(typeof run.windowId === 'number' ? { strayWindowId: run.windowId } : {}),
      };
      flows.set(view.flowId, flow);
      latest.set(sessionId, view.flowId);
      if (isActive(view)) toResume.push(flow);
    }
    for (const flow of toResume) resume(flow);
  }

  /** Continue a flow a stopped background left running or prompting: same plan, same keys. */
  function resume(flow: Flow): void {
    const { progress, prompt } = flow.view;
    // One message for each place it stopped and each prompt asked again (docs/design.md#translations).
    const again = prompt?.kind === 'password' || prompt?.kind === 'approval' || prompt?.kind === 'fallback' ? prompt.kind : 'none';
    const message = progress.current === undefined
      ? say(RESUMED_AFTER[again], progress.completed, progress.total)
      : say(RESUMED_AT[again], progress.current);
    const count = (flow.view.resumed?.count ?? 0) + 1;
    update(flow, { phase: 'running', status: message, resumed: { count, message } }, ['prompt', 'waitingMs']);
    void run(flow, true);
  }

  /** The session a flow belongs to (the handlers check it may be written to). */
  function sessionOf(flowId: string): string {
    return get(flowId).view.sessionId;
  }

  return { preview, start, password, fallbackDone, openPage, cancel, state, sessionOf, ready };
}
