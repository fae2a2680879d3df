/**
 * The window in which the user completes a UIA stage out of band: a fallback page (SSO, terms…,
 * spec §Fallback) or the account-management approval of a cross-signing reset (m.oauth,
 * docs/protocol.md#uia-oauth).
 *
 * Why an extension page in between: the fallback page reports completion with
 * `window.opener.postMessage("authDone", "*")`, and a window made by windows.create/tabs.create
 * has no opener (docs/protocol.md#uia-fallback-opener). So the background opens auth.html in
 * a popup window, and THAT page window.open()s the homeserver's URL, becoming its opener.
 *
 * COMPAT(firefox): Firefox (153 ESR observed) gives a page that an extension page window.open()s
 * no opener, and the opener's handle to it is a dead object (so it cannot even close it). There
 * the background opens the URL in a window of its own instead, which it can close; completion
 * comes from the session polling or the Done button (src/background/repair-flow.ts).
 */
import { browser } from './api.ts';

export type AuthWindow = {
  /** The window auth.html runs in; a repairAuthDone message must come from a tab of it. */
  windowId: number;
  close(): Promise<void>;
};

/** auth.html for one flow; it asks the background for the prompt's URL (never trusts its own query). */
export function authPageUrl(flowId: string, sessionId: string): string {
  return browser.runtime.getURL(`auth.html?flowId=${encodeURIComponent(flowId)}&sessionId=${encodeURIComponent(sessionId)}`);
}

/** How long auth.html gets to close itself and its page before its window is removed. */
const AUTH_PAGE_GRACE_MS = 2_000;

/** Extension pages cannot be a web page's opener here (see COMPAT above). */
const openerIsSevered = (): boolean => browser.runtime.getURL('/').startsWith('moz-extension:');

/**
 * Open the window for a prompt: auth.html, which opens `url` as its opener; or, where that cannot
 * work, `url` itself. Undefined when the browser has no windows API.
 */
export async function openAuthWindow(flowId: string, sessionId: string, url: string): Promise<AuthWindow | undefined> {
  // COMPAT(firefox-android): no windows API there; the popup's link and Done button remain.
  if (browser.windows?.create === undefined) return undefined;
  const direct = openerIsSevered();
  const target = direct ? url : authPageUrl(flowId, sessionId);
  const created = await browser.windows.create({ url: target, type: 'popup', width: 560, height: 720 });
  const windowId = created.id;
  if (windowId === undefined) return undefined;
  const remove = async (): Promise<void> => {
    try {
      await browser.windows.remove(windowId);
    } catch {
      // The user (or auth.html itself) closed it already: nothing left to do.
    }
  };
  return {
    windowId,
    // auth.html first closes the page it opened (only it can) and then itself; removing its
    // window at once would leave that page behind, so this is only the backstop.
    close: async () => { if (direct) await remove(); else setTimeout(() => void remove(), AUTH_PAGE_GRACE_MS); },
  };
}
