/**
 * Sessions known to the background. The MV3 worker can be stopped at any moment, so the
 * in-memory map is only a cache of `storage.session`; every read goes through `ensureLoaded`.
 */
import { loadSessions, saveSessions, type StoredSession } from '../ext/storage.ts';

let cache: Map<string, StoredSession> | undefined;

async function ensureLoaded(): Promise<Map<string, StoredSession>> {
  if (!cache) cache = new Map((await loadSessions()).map((s) => [s.sessionId, s]));
  return cache;
}

export async function putSession(session: StoredSession): Promise<void> {
  const sessions = await ensureLoaded();
  // One session per (homeserver, user, device): reconnecting replaces the old entry.
  for (const [id, s] of sessions) {
    if (s.homeserver === session.homeserver && s.userId === session.userId && s.deviceId === session.deviceId) sessions.delete(id);
  }
  sessions.set(session.sessionId, session);
  await saveSessions([...sessions.values()]);
}

export async function getSession(sessionId: string): Promise<StoredSession | undefined> {
  return (await ensureLoaded()).get(sessionId);
}

export async function sessionForTab(tabId: number | undefined): Promise<StoredSession | undefined> {
  const all = [...(await ensureLoaded()).values()];
  return all.findLast((s) => tabId !== undefined && s.tabId === tabId) ?? all.findLast((s) => s.tabId === undefined);
}

export async function deleteSession(sessionId: string): Promise<boolean> {
  const sessions = await ensureLoaded();
  const existed = sessions.delete(sessionId);
  if (existed) await saveSessions([...sessions.values()]);
  return existed;
}
