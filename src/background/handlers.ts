import { browser } from '../ext/api.ts';
import type { Handlers } from '../ext/receiver.ts';
import { loadVerifiedMemory, rememberVerifiedUsers, type StoredSession } from '../ext/storage.ts';
import { emptyVerifiedMemory, previouslyVerified, verifiedInReport } from '../core/users/verified-memory.ts';
import { backgroundEd, forgetLastRead, lastDiagnostic, lastRawKeysQuery, readStatus, rememberUsers } from './status.ts';
import { inspectUsers } from '../core/users/inspect-users.ts';
import { deleteSession, getSession, putSession, sessionForTab, updateSession } from './session-store.ts';
import { readTabSessions } from './session-read.ts';
import { sessions } from './sessions.ts';
import { tokenClient, unknownSessionError } from './session-service.ts';
import { whoamiError } from './session-validate.ts';
import { assertWritable, verifyHomeserver } from './session-homeserver.ts';
import { hostOf } from '../core/matrix/discovery.ts';
import { sessionView } from './session-view.ts';
import { createFlowManager, type MirroredRun } from './repair-flow.ts';
import { closeAuthWindowById, openAuthWindow } from '../ext/auth-window.ts';
import type { RepairFlowView } from '../ext/protocol.ts';
import { tabAccessState } from './tab-access-probe.ts';
import { say } from '../core/words/say.ts';

/** storage.session key of the repair flows' mirror (no private key, password or recovery key). */
const FLOWS_KEY = 'repairFlows';
/** storage.session key of the runs behind them (plans and progress: ciphertexts and public data). */
const RUNS_KEY = 'repairRuns';

/** Repair flows, run here (not in the popup): one at a time per session. */
const flows = createFlowManager({
  client: (sessionId) => sessions.clientFor(sessionId),
  session: async (sessionId) => {
    const s = await requireSession(sessionId);
    return { userId: s.userId, deviceId: s.deviceId };
  },
  mirror: async ({ views, runs }) => { await browser.storage.session.set({ [FLOWS_KEY]: views, [RUNS_KEY]: runs }); },
  // Our own writes (above), read back by a restarted background; the flow manager re-checks them.
  restore: async () => {
    const got = await browser.storage.session.get([FLOWS_KEY, RUNS_KEY]);
    return { views: got[FLOWS_KEY] as Record<string, RepairFlowView> | undefined ?? {}, runs: got[RUNS_KEY] as Record<string, MirroredRun> | undefined ?? {} };
  },
  openAuthWindow,
  closeWindow: closeAuthWindowById,
  // The people a run verified, remembered for identity-changed (docs/matrix-api.md#identity-changed).
  rememberVerified: async (sessionId, verified) => {
    const s = await getSession(sessionId);
    if (s) await rememberVerifiedUsers({ userId: s.userId, homeserver: s.homeserver }, verified);
  },
});

const unknownSession = unknownSessionError;

/**
 * Every message that makes the homeserver change the account, or carries the password, goes
 * through here: a session whose homeserver is not proven the account's is refused until the
 * person confirmed that host (hiding the popup's buttons alone would not stop a crafted message).
 */
async function requireWritableFlow(flowId: string): Promise<void> {
  await flows.ready(); // a restarted background knows its flows again (docs/design.md#repair-resume)
  const s = await getSession(flows.sessionOf(flowId));
  if (!s) throw unknownSession();
  assertWritable(s);
}

/** The stored session (user, device, homeserver); its token is the session service's business. */
async function requireSession(sessionId: string): Promise<StoredSession> {
  const s = await getSession(sessionId);
  if (!s) throw unknownSession();
  return s;
}

export const handlers: Handlers = {
  async ping() {
    const isWorker = typeof (globalThis as { ServiceWorkerGlobalScope?: unknown }).ServiceWorkerGlobalScope !== 'undefined';
    return { version: browser.runtime.getManifest().version, background: isWorker ? 'service-worker' : 'event-page' };
  },

  async connectManual({ homeserver, accessToken }) {
    const baseUrl = homeserver.replace(/\/+$/, '');
    const me = await tokenClient(baseUrl, accessToken)
      .whoami()
      .catch((e: unknown) => {
        // Same codes and messages as a tab read (invalid-token, soft-logout, homeserver-error).
        throw whoamiError(e, 'manual', baseUrl) ?? e;
      });
    const session: StoredSession = {
      sessionId: crypto.randomUUID(),
      homeserver: baseUrl,
      accessToken,
      userId: me.user_id,
      deviceId: me.device_id ?? '',
      app: 'manual',
      homeserverCheck: await verifyHomeserver(me.user_id, baseUrl),
    };
    await putSession(session);
    return sessionView(session);
  },

  async getSession({ tabId }) {
    const s = await sessionForTab(tabId);
    return s ? sessionView(s) : null;
  },

  async forgetSession({ sessionId }) {
    forgetLastRead(sessionId);
    return { forgotten: await deleteSession(sessionId) };
  },

  async copyToken({ sessionId }) {
    // The token the web app holds now (a rotating one is re-read from the tab).
    return { accessToken: await sessions.token(sessionId) };
  },

  async readTab({ tabId }) {
    return readTabSessions(tabId);
  },

  async tabAccess({ tabId }) {
    return { access: await tabAccessState(tabId) };
  },

  async refreshSessionToken({ sessionId }) {
    return sessionView(await sessions.refresh(sessionId));
  },

  async readStatus({ sessionId, recoveryKey, passphrase }) {
    const secret: { recoveryKey?: string; passphrase?: string } = {};
    if (recoveryKey !== undefined) secret.recoveryKey = recoveryKey;
    if (passphrase !== undefined) secret.passphrase = passphrase;
    const session = await requireSession(sessionId);
    return readStatus(session, await sessions.clientFor(sessionId), secret);
  },

  async readRaw({ sessionId }) {
    await requireSession(sessionId);
    return { keysQuery: lastRawKeysQuery(sessionId) };
  },

  async readDiagnostic({ sessionId }) {
    await requireSession(sessionId);
    return { text: lastDiagnostic(sessionId, new Date().toISOString()) };
  },

  async readUsers({ sessionId, userIds }) {
    const session = await requireSession(sessionId);
    // My keys come from the same keys/query as everybody's, so this read needs nothing from
    // readStatus and the popup sends both at once (docs/matrix-api.md#users-discovery).
    // The master keys seen verified before tell "their identity changed" (docs/matrix-api.md#identity-changed).
    const account = { userId: session.userId, homeserver: session.homeserver };
    const users = await inspectUsers(await sessions.clientFor(sessionId), { userId: session.userId }, {
      extraUserIds: userIds ?? [], ed: backgroundEd(),
      previouslyVerified: previouslyVerified(await loadVerifiedMemory().catch(() => emptyVerifiedMemory()), account),
    });
    // A storage failure costs only the memory, never the report.
    await rememberVerifiedUsers(account, verifiedInReport(users)).catch(() => undefined);
    rememberUsers(sessionId, users);
    return users;
  },

  async repairPreview(req) {
    return flows.preview(req);
  },

  async repairStart({ flowId, exportSaved, recoveryKeySaved }) {
    await requireWritableFlow(flowId);
    return flows.start(flowId, exportSaved === true, recoveryKeySaved === true);
  },

  async repairPassword({ flowId, password }) {
    await requireWritableFlow(flowId);
    return flows.password(flowId, password);
  },

  async repairCancel({ flowId }) {
    await flows.ready();
    return flows.cancel(flowId);
  },

  async repairFallbackDone({ flowId }) {
    await requireWritableFlow(flowId);
    return flows.fallbackDone(flowId);
  },

  async repairOpenPage({ flowId }) {
    // Opens a page on the homeserver's behalf: only for a session whose homeserver is trusted.
    await requireWritableFlow(flowId);
    return flows.openPage(flowId);
  },

  async repairState({ sessionId }) {
    return flows.state(sessionId);
  },

  async confirmHomeserver({ sessionId, host }) {
    const s = await getSession(sessionId);
    if (!s) throw unknownSession();
    // The person confirms the host they were shown; a stale or forged host confirms nothing.
    if (hostOf(s.homeserver) !== host) {
      throw Object.assign(new Error(say('core_base_host_changed', hostOf(s.homeserver) ?? s.homeserver, host)), { name: 'HomeserverHostError', code: 'homeserver-host-changed' });
    }
    const next = await updateSession(sessionId, { homeserverConfirmed: true });
    if (!next) throw unknownSession();
    return sessionView(next);
  },
};
