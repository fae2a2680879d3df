import type { BrowserName } from './browser-paths.ts';
import { PRODUCTION_BUILD, type ExtensionBrowser } from './extension-browser.ts';
import { launchChromium } from './chromium.ts';
import { launchFirefox } from './firefox.ts';
import { startLeakWatch, type ExtensionStores } from './leak-watch.ts';
import { watchTyping } from './typed-secrets.ts';

export const BROWSERS: BrowserName[] = ['chromium', 'firefox'];

export type LaunchOptions = {
  extensionDir?: string;
  /**
   * 'production': the packages people install (dist/chrome, dist/firefox: no host permissions),
   * for tests that go through the toolbar action; default 'test' (adds localhost host permissions).
   */
  build?: 'test' | 'production';
  headless?: boolean;
  /** Origins (or URLs on them) of servers this test started, which the browser may also reach. */
  allowOrigins?: readonly string[];
  /**
   * false: no leak watch (no proxy, no checks at close) — for the benchmark, whose timings must
   * not include a proxy hop, and the demo, which has no test to fail. Tests never turn it off.
   */
  leakWatch?: boolean;
  /**
   * The browser's UI language (e.g. 'de'), which picks the extension's _locales; default: the
   * machine's (English here). Needs Debian's chromium-l10n and firefox-esr-l10n-<lang> (.ci/setup).
   */
  locale?: string;
};

/**
 * A browser with the test build loaded, under the leak watch (leak-watch.ts): its close() checks
 * the extension's storage, every request it made and its console output, and rejects with a
 * LeakError listing every finding — so every e2e flow is checked without the test asking.
 */
export async function launchBrowser(name: BrowserName, options: LaunchOptions = {}): Promise<ExtensionBrowser> {
  const opts = options.build === 'production' && options.extensionDir === undefined ? { ...options, extensionDir: PRODUCTION_BUILD[name] } : options;
  if (opts.leakWatch === false) return name === 'chromium' ? launchChromium(opts) : launchFirefox(opts);
  const watch = await startLeakWatch(name, opts.allowOrigins === undefined ? {} : { allowOrigins: opts.allowOrigins });
  const launchOpts = { ...opts, watch: watch.hooks };
  let b: ExtensionBrowser;
  try {
    b = await (name === 'chromium' ? launchChromium(launchOpts) : launchFirefox(launchOpts));
  } catch (e) {
    await watch.discard();
    throw e;
  }
  return {
    ...b,
    openUi: async (tabId) => watchTyping(await b.openUi(tabId)),
    openTab: async (url) => {
      const tab = await b.openTab(url);
      return { ...tab, page: watchTyping(tab.page) };
    },
    close: () => watch.finish(() => readStores(b), () => b.close()),
  };
}

function readStores(b: ExtensionBrowser): Promise<ExtensionStores> {
  return b.evalExtension(async () => ({
    local: JSON.stringify(await browser.storage.local.get(null)),
    // storage.sync may be unavailable (no account); then it holds nothing.
    sync: JSON.stringify(await browser.storage.sync.get(null).catch(() => ({}))),
    session: JSON.stringify(await browser.storage.session.get(null)),
  }), null);
}
