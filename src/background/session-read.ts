/**
 * The `readTab` flow: read the tab, check every candidate against its homeserver, keep the
 * usable ones for this tab (background memory + storage.session), and answer with views only.
 */
import type { ReadTabResponse } from '../ext/protocol.ts';
import { readTabCandidates } from './read-tab.ts';
import { replaceTabSessions } from './session-store.ts';
import { checkCandidates } from './session-validate.ts';
import { sessionView } from './session-view.ts';

/** @throws {SessionReadError} with the code the popup shows when nothing usable was found. */
export async function readTabSessions(tabId: number): Promise<ReadTabResponse> {
  const { sessions, rejected } = await checkCandidates(await readTabCandidates(tabId));
  const stored = await replaceTabSessions(tabId, sessions);
  return { sessions: stored.map(sessionView), rejected };
}
