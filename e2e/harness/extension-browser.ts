import type { BrowserName } from './browser-paths.ts';
import { waitUntil, type UiPage } from './ui-page.ts';

/** A real browser with a build of the extension loaded (the test build unless told otherwise). */
export interface ExtensionBrowser {
  readonly name: BrowserName;
  /** chrome-extension://<id> or moz-extension://<uuid> */
  readonly extensionOrigin: string;
  /** Opens a web page in a normal tab; returns the page and its tab id as the extension sees it. */
  openTab(url: string): Promise<{ tabId: number; page: UiPage }>;
  /** Opens the extension UI bound to a tab, the way it is detached: popup.html?tabId=N. */
  openUi(tabId?: number): Promise<UiPage>;
  /**
   * Runs a function in a privileged extension context (Chromium: the service worker; Firefox:
   * an extension page), where `browser.*` is available — for assertions on extension storage.
   */
  evalExtension<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /**
   * Stops the background (Chromium: the service worker; Firefox: the event page) the way the
   * browser does when it is idle: its memory is gone, storage.session stays, and the next event
   * (e.g. a message from the popup) starts it again. Not runtime.reload(), which clears storage.session.
   */
  stopBackground(): Promise<void>;
  /**
   * Waits for an open page (any window, including ones opened by window.open or windows.create)
   * whose URL starts with `prefix`, and drives it.
   */
  findPage(prefix: string, opts?: { timeoutMs?: number }): Promise<UiPage>;
  /**
   * Clicks the toolbar icon, as a person does, on the tab showing `url` (brought to the front):
   * the browser grants activeTab for that tab and opens the action popup, which reads the tab.
   * Resolves once the action ran (Chromium: CDP Extensions.triggerAction, and the popup target
   * exists; Firefox: the action's own handler, what its keyboard shortcut calls).
   */
  invokeAction(url: string): Promise<void>;
  close(): Promise<void>;
}

export const TEST_BUILD: Record<BrowserName, string> = {
  chromium: new URL('../../dist/test-chrome', import.meta.url).pathname,
  firefox: new URL('../../dist/test-firefox', import.meta.url).pathname,
};

/** The packages people install (activeTab + scripting + storage only), built by `npm run build`. */
export const PRODUCTION_BUILD: Record<BrowserName, string> = {
  chromium: new URL('../../dist/chrome', import.meta.url).pathname,
  firefox: new URL('../../dist/firefox', import.meta.url).pathname,
};

/**
 * The tab id the extension sees for a page URL. Lists every tab and filters: a match pattern with
 * a port finds nothing in Firefox (docs/design.md#firefox-tab-query).
 */
export function tabIdOf(b: Pick<ExtensionBrowser, 'evalExtension'>, url: string, opts: { before?: number[] } = {}): Promise<number> {
  return waitUntil(`the tab id of ${url}`, () =>
    b.evalExtension(async ({ u, before }) => {
      const tabs = await browser.tabs.query({});
      const byUrl = tabs.find((t) => t.url === u)?.id;
      if (byUrl !== undefined) return byUrl;
      // A production build sees no URL of a tab it holds no grant for: the one tab that is new.
      const fresh = tabs.filter((t) => t.url === undefined && t.id !== undefined && before !== undefined && !before.includes(t.id));
      return fresh.length === 1 ? fresh[0]!.id : undefined;
    }, { u: url, before: opts.before }),
  );
}

/** Every tab id the extension sees now (to find the one a test opens next, URL or not). */
export const tabIds = (b: Pick<ExtensionBrowser, 'evalExtension'>): Promise<number[]> =>
  b.evalExtension(async () => (await browser.tabs.query({})).flatMap((t) => (t.id === undefined ? [] : [t.id])), null);

/** popup.html bound to a tab (the detached-window form), or unbound. */
export const uiUrl = (origin: string, tabId?: number) => `${origin}/popup.html${tabId === undefined ? '' : `?tabId=${tabId}`}`;
