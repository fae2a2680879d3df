/**
 * The background's session service (session-service.ts) wired to the real parts: the session
 * store (background memory + storage.session), the tab reader, whoami on the candidate's
 * homeserver, and the tab access record (a re-read waits there for a lapsed grant).
 */
import { readTabCandidates } from './read-tab.ts';
import { createSessionService } from './session-service.ts';
import { getSession, updateSession } from './session-store.ts';
import { checkCandidate } from './session-validate.ts';
import { tabAccess } from './tab-access-state.ts';

export const sessions = createSessionService({
  getSession, updateSession, readTab: readTabCandidates, check: checkCandidate,
  waitForAccess: (tabId) => tabAccess.whenRestored(tabId),
});
