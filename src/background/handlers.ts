import { browser } from '../ext/api.ts';
import type { Handlers } from '../ext/messaging.ts';
import type { StoredSession } from '../ext/storage.ts';
import { clientFor } from './matrix.ts';
import { readStatus } from './status.ts';
import { deleteSession, getSession, putSession, sessionForTab } from './session-store.ts';
import { readTabSessions } from './session-read.ts';
import { freshSession, refreshSessionToken, sessionClient } from './session-refresh.ts';
import { whoamiError } from './session-validate.ts';
import { sessionView } from './session-view.ts';

async function requireSession(sessionId: string): Promise<StoredSession> {
  const s = await getSession(sessionId);
  if (!s) throw Object.assign(new Error('That session is no longer known to the extension; reconnect.'), { name: 'UnknownSessionError' });
  // OIDC tokens rotate: re-read the web app's current token before every use.
  return freshSession(s);
}

export const handlers: Handlers = {
  async ping() {
    const isWorker = typeof (globalThis as { ServiceWorkerGlobalScope?: unknown }).ServiceWorkerGlobalScope !== 'undefined';
    return { version: browser.runtime.getManifest().version, background: isWorker ? 'service-worker' : 'event-page' };
  },

  async connectManual({ homeserver, accessToken }) {
    const baseUrl = homeserver.replace(/\/+$/, '');
    const me = await clientFor(baseUrl, accessToken)
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
    };
    await putSession(session);
    return sessionView(session);
  },

  async getSession({ tabId }) {
    const s = await sessionForTab(tabId);
    return s ? sessionView(s) : null;
  },

  async forgetSession({ sessionId }) {
    return { forgotten: await deleteSession(sessionId) };
  },

  async copyToken({ sessionId }) {
    return { accessToken: (await requireSession(sessionId)).accessToken };
  },

  async readTab({ tabId }) {
    return readTabSessions(tabId);
  },

  async refreshSessionToken({ sessionId }) {
    return sessionView(await refreshSessionToken(sessionId));
  },

  async readStatus({ sessionId, recoveryKey, passphrase }) {
    const secret: { recoveryKey?: string; passphrase?: string } = {};
    if (recoveryKey !== undefined) secret.recoveryKey = recoveryKey;
    if (passphrase !== undefined) secret.passphrase = passphrase;
    const session = await requireSession(sessionId);
    return readStatus(session, await sessionClient(sessionId), secret);
  },
};
