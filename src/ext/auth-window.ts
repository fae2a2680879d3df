/**
 * The window in which the user completes a UIA stage out of band: a fallback page (SSO, terms…,
 * spec client-server API §Fallback) or the account-management approval of a cross-signing reset
 * (§OAuth authentication, `m.oauth`). Opened only on the user's click, for a URL that passed the
 * checks of src/core/repair/auth-page.ts (src/background/repair-flow.ts).
 *
 * The page is opened by windows.create, so it has NO window.opener: the homeserver's page (or
 * whatever it redirects to) cannot navigate an extension page (`opener.location = …`, the
 * "reverse tabnabbing" of a page opened with an opener). The price is the spec's completion
 * signal, `window.opener.postMessage("authDone", "*")`, which needs an opener: completion comes
 * from resending the request with its session while the page is open, and from the popup's Done
 * button (what Firefox, which gives a page an extension page opens no opener, always did).
 */
import { browser } from './api.ts';

export type AuthWindow = {
  windowId: number;
  close(): Promise<void>;
};

/** Open `url` in a popup window of its own. Undefined when the browser has no windows API. */
export async function openAuthWindow(_flowId: string, _sessionId: string, url: string): Promise<AuthWindow | undefined> {
  // COMPAT(firefox-android): no windows API there; the popup shows the URL as text and Done remains.
  if (browser.windows?.create === undefined) return undefined;
  const created = await browser.windows.create({ url, type: 'popup', width: 560, height: 720 });
  const windowId = created.id;
  if (windowId === undefined) return undefined;
  return { windowId, close: () => closeAuthWindowById(windowId) };
}

/**
 * Close a window this extension opened for a prompt, by its ID (also the one a stopped background
 * opened: window IDs are not reused within a browser session, so the ID names that window).
 */
export async function closeAuthWindowById(windowId: number): Promise<void> {
  try {
    await browser.windows.remove(windowId);
  } catch {
    // The user closed it already: nothing left to do.
  }
}
