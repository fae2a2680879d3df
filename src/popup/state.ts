import { signal } from './signal.ts';
import type { RejectedSession, SessionView } from '../ext/protocol.ts';
import { send } from '../ext/messaging.ts';
import { targetTabId } from './target.ts';
import { accessLapsed } from './access.ts';
import { errorText } from './error-text.ts';

export const tabId = signal<number | undefined>(undefined);
/** The session the popup works on. */
export const session = signal<SessionView | null>(null);
/** Every usable session the tab read found (a picker shows when there are several). */
export const sessions = signal<SessionView[]>([]);
/** Sessions found in the tab but unusable, with the reason. */
export const rejected = signal<RejectedSession[]>([]);
export const loading = signal(true);
export const error = signal<string | null>(null);
/** The error kind (`data-code`): not-matrix, unreadable-page, insecure-origin, invalid-token, soft-logout, … */
export const errorCode = signal<string | null>(null);

export function showError(e: unknown): void {
  error.value = errorText(e);
  const code = (e as { code?: unknown } | null)?.code;
  errorCode.value = typeof code === 'string' ? code : 'error';
}

export function clearError(): void {
  error.value = null;
  errorCode.value = null;
}

/** Read errors that say "this tab has no (readable) Matrix app", rather than "its session is broken". */
const NOT_AN_APP = new Set(['not-matrix', 'unreadable-page', 'no-tab']);

/**
 * On open: read the target tab's web app session(s). When that finds nothing usable, fall back to
 * a manually connected session, else to the manual form with the specific error.
 */
export async function loadTabSessions(): Promise<void> {
  try {
    tabId.value = await targetTabId();
    let readError: unknown;
    if (tabId.value !== undefined) {
      try {
        const read = await send('readTab', { tabId: tabId.value });
        sessions.value = read.sessions;
        rejected.value = read.rejected;
        session.value = read.sessions[0] ?? null;
        return;
      } catch (e) {
        readError = e;
      }
    }
    if ((readError as { code?: unknown } | undefined)?.code === 'access-lapsed') {
      // Not an error of the page: the session read before stays, the banner says how to restore.
      accessLapsed.value = true;
      const kept = await send('getSession', { tabId: tabId.value });
      if (kept) session.value = kept;
      return;
    }
    const manual = await send('getSession', {});
    if (manual) session.value = manual;
    const code = (readError as { code?: unknown } | undefined)?.code;
    if (readError !== undefined && !(manual && typeof code === 'string' && NOT_AN_APP.has(code))) showError(readError);
  } catch (e) {
    showError(e);
  } finally {
    loading.value = false;
  }
}
