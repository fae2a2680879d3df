/**
 * The `readTab` flow: read the tab, check every candidate against its homeserver, keep the
 * usable ones for this tab (background memory + storage.session), and answer with views only.
 */
import type { ReadTabResponse } from '../ext/protocol.ts';
import { readTabCandidates } from './read-tab.ts';
import { replaceTabSessions } from './session-store.ts';
import { checkCandidates } from './session-validate.ts';
import { sessionView } from './session-view.ts';
import { tokenClient } from './session-service.ts';
import { adoptEarlyInspection, startEarlyInspection } from './status.ts';

/** @throws {SessionReadError} with the code the popup shows when nothing usable was found. */
export async function readTabSessions(tabId: number): Promise<ReadTabResponse> {
  const parsed = await readTabCandidates(tabId);
  // The popup's first session is the first usable candidate: read its account beside whoami.
  const first = parsed.candidates.find((c) => !c.softLogout);
  const inspection = first && startEarlyInspection(tokenClient(first.homeserver, first.accessToken), first.userId, first.deviceId);
  const { sessions, rejected } = await checkCandidates(parsed);
  const stored = await replaceTabSessions(tabId, sessions);
  // Used only for the session whoami confirmed with the same token, user and device.
  const same = first && stored.find((s) => s.accessToken === first.accessToken && s.homeserver === first.homeserver);
  if (inspection && same && same.userId === first.userId && same.deviceId === first.deviceId) adoptEarlyInspection(same.sessionId, inspection);
  return { sessions: stored.map(sessionView), rejected };
}
