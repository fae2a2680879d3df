import { browser } from '../ext/api.ts';
import type { Handlers } from '../ext/messaging.ts';
import type { SessionView } from '../ext/protocol.ts';
import type { StoredSession } from '../ext/storage.ts';
import { maskSecret } from '../core/mask.ts';
import { clientFor } from './matrix.ts';
import { deleteSession, getSession, putSession, sessionForTab } from './session-store.ts';

function view(s: StoredSession): SessionView {
  const v: SessionView = {
    sessionId: s.sessionId,
    userId: s.userId,
    deviceId: s.deviceId,
    homeserver: s.homeserver,
    app: s.app,
    tokenMasked: maskSecret(s.accessToken),
  };
  if (s.mismatch) v.mismatch = s.mismatch;
  return v;
}

async function requireSession(sessionId: string): Promise<StoredSession> {
  const s = await getSession(sessionId);
  if (!s) throw Object.assign(new Error('That session is no longer known to the extension; reconnect.'), { name: 'UnknownSessionError' });
  return s;
}

export const handlers: Handlers = {
  async ping() {
    const isWorker = typeof (globalThis as { ServiceWorkerGlobalScope?: unknown }).ServiceWorkerGlobalScope !== 'undefined';
    return { version: browser.runtime.getManifest().version, background: isWorker ? 'service-worker' : 'event-page' };
  },

  async connectManual({ homeserver, accessToken }) {
    const baseUrl = homeserver.replace(/\/+$/, '');
    const me = await clientFor(baseUrl, accessToken).whoami();
    const session: StoredSession = {
      sessionId: crypto.randomUUID(),
      homeserver: baseUrl,
      accessToken,
      userId: me.user_id,
      deviceId: me.device_id ?? '',
      app: 'manual',
    };
    await putSession(session);
    return view(session);
  },

  async getSession({ tabId }) {
    const s = await sessionForTab(tabId);
    return s ? view(s) : null;
  },

  async forgetSession({ sessionId }) {
    return { forgotten: await deleteSession(sessionId) };
  },

  async copyToken({ sessionId }) {
    return { accessToken: (await requireSession(sessionId)).accessToken };
  },
};
