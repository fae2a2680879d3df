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

const sameVerdict = (a: StoredSession, b: StoredSession) =>
  JSON.stringify(a.homeserverCheck ?? null) === JSON.stringify(b.homeserverCheck ?? null);

const sameSession = (a: StoredSession, b: StoredSession) =>
  a.homeserver === b.homeserver && a.userId === b.userId && a.deviceId === b.deviceId;

/**
 * The sessions a tab read found, replacing what the last read of that tab found. A session that
 * is already known (same homeserver, user and device) keeps its sessionId, so an open popup or a
 * running report keeps working across re-reads.
 */
export async function replaceTabSessions(tabId: number, found: StoredSession[]): Promise<StoredSession[]> {
  const sessions = await ensureLoaded();
  const out: StoredSession[] = [];
  const previous = [...sessions.values()];
  for (const s of previous) if (s.tabId === tabId) sessions.delete(s.sessionId);
  for (const f of found) {
    const known = previous.find((p) => sameSession(p, f));
    const session: StoredSession = { ...f, tabId, sessionId: known?.sessionId ?? f.sessionId };
    // A confirmed host stays confirmed across re-reads of the same session (same homeserver,
    // user and device), as long as the verdict has not changed.
    if (known?.homeserverConfirmed === true && sameVerdict(known, f)) session.homeserverConfirmed = true;
    for (const [id, s] of sessions) if (sameSession(s, session)) sessions.delete(id);
    sessions.set(session.sessionId, session);
    out.push(session);
  }
  await saveSessions([...sessions.values()]);
  return out;
}

/** Replace a known session's fields (e.g. a re-read token); undefined when it is gone. */
export async function updateSession(sessionId: string, patch: Partial<Omit<StoredSession, 'sessionId'>>): Promise<StoredSession | undefined> {
  const sessions = await ensureLoaded();
  const s = sessions.get(sessionId);
  if (!s) return undefined;
  const next = { ...s, ...patch };
  sessions.set(sessionId, next);
  await saveSessions([...sessions.values()]);
  return next;
}
