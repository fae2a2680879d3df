/**
 * Debian's Firefox ESR through puppeteer-core over WebDriver BiDi, the test build installed as a
 * temporary add-on. Playwright cannot drive a stock Firefox (it needs its patched build).
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { browserBinaries } from './browser-paths.ts';
import { TEST_BUILD, tabIdOf, tabIds, uiUrl, type ExtensionBrowser } from './extension-browser.ts';
import type { LeakWatchHooks } from './leak-watch.ts';
import { sel, waitUntil, type UiPage } from './ui-page.ts';

export function puppeteerUiPage(page: Page): UiPage {
  // click and fill wait for their element first, as Playwright's do in Chromium: a form in the
  // lazily loaded repair chunk appears a moment after the click that asks for it.
  const present = (testId: string) => page.waitForSelector(sel(testId), { timeout: 15_000 });
  return {
    async waitFor(testId, opts = {}) {
      const s = opts.attr ? `${sel(testId)}[${opts.attr[0]}="${opts.attr[1]}"]` : sel(testId);
      await page.waitForSelector(s, { timeout: opts.timeoutMs ?? 15_000 });
    },
    text: (testId) => page.$eval(sel(testId), (e) => e.textContent ?? ''),
    attr: (testId, name) => page.$eval(sel(testId), (e, n) => e.getAttribute(n), name),
    count: (testId) => page.$$eval(sel(testId), (es) => es.length),
    async click(testId) {
      await present(testId);
      await page.click(sel(testId));
    },
    async fill(testId, value) {
      await present(testId);
      await page.$eval(sel(testId), (e) => ((e as HTMLInputElement).value = ''));
      await page.type(sel(testId), value);
    },
    press: (key) => page.keyboard.press(key as never),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    screenshot: async (path, opts) => void (await page.screenshot({ path, fullPage: opts?.fullPage ?? true })),
    html: () => page.content(),
    close: () => page.close(),
  };
}

/**
 * What Firefox does to an idle event page, done now: with --remote-allow-system-access, BiDi can
 * evaluate in the browser's own (chrome) window, where ExtensionParent's extension object has
 * terminateBackground(). (Reloading the page from an extension page is not the same thing: the
 * extension framework would not see the background go away.)
 */
async function terminateBackground(b: Browser, geckoId: string): Promise<void> {
  const bidi = (b as unknown as { connection: { send(method: string, params: unknown): Promise<{ result: any }> } }).connection;
  const tree = await bidi.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
  const context: string | undefined = tree.result.contexts[0]?.context;
  if (context === undefined) throw new Error('no chrome window to evaluate in');
  const expression = `(async () => {
    const { ExtensionParent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs');
    const ext = ExtensionParent.GlobalManager.getExtension(${JSON.stringify(geckoId)});
    if (!ext) throw new Error('extension not found');
    await ext.terminateBackground({ ignoreDevToolsAttached: true });
    return String(ext.backgroundState);
  })()`;
  const r = await bidi.send('script.evaluate', { expression, target: { context }, awaitPromise: true });
  if (r.result.type !== 'success') throw new Error(`terminateBackground failed: ${JSON.stringify(r.result).slice(0, 300)}`);
}

/**
 * The toolbar action, invoked through the browser's own handler (what the `_execute_action`
 * shortcut calls): it grants activeTab for the selected tab and opens the popup. No WebDriver
 * BiDi command clicks a toolbar button.
 */
async function triggerAction(b: Browser, geckoId: string, url: string): Promise<void> {
  const bidi = (b as unknown as { connection: { send(method: string, params: unknown): Promise<{ result: any }> } }).connection;
  const tree = await bidi.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
  // The browser window whose selected tab shows `url` (each test page may be in its own window).
  const expression = `(async () => {
    if (window.gBrowser?.selectedBrowser?.currentURI?.spec !== ${JSON.stringify(url)}) return 'other window';
    const { ExtensionParent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs');
    const ext = ExtensionParent.GlobalManager.getExtension(${JSON.stringify(geckoId)});
    if (!ext) throw new Error('extension not found');
    // The action toggles: with its popup still open (headless never moves focus away), a trigger
    // would close it. Close it first, so every trigger opens a popup and grants activeTab.
    const { ViewPopup } = ChromeUtils.importESModule('resource:///modules/ExtensionPopups.sys.mjs');
    ViewPopup.for(ext, window)?.closePopup();
    await ExtensionParent.apiManager.global.browserActionFor(ext).triggerAction(window);
    return 'triggered';
  })()`;
  const answers: string[] = [];
  for (const { context } of tree.result.contexts as { context: string }[]) {
    const r = await bidi.send('script.evaluate', { expression, target: { context }, awaitPromise: true });
    if (r.result.type === 'success' && r.result.result?.value === 'triggered') return;
    answers.push(JSON.stringify(r.result).slice(0, 200));
  }
  throw new Error(`triggerAction: no browser window shows ${url}: ${answers.join('; ')}`);
}

export async function launchFirefox(opts: { extensionDir?: string; headless?: boolean; watch?: LeakWatchHooks; locale?: string } = {}): Promise<ExtensionBrowser> {
  const ext = opts.extensionDir ?? TEST_BUILD.firefox;
  const geckoId: string = JSON.parse(readFileSync(join(ext, 'manifest.json'), 'utf8')).browser_specific_settings.gecko.id;
  const uuid = randomUUID();
  const browserInstance = await puppeteer.launch({
    browser: 'firefox',
    executablePath: browserBinaries.firefox.path,
    headless: opts.headless ?? true,
    // Lets WebDriver navigate a tab to moz-extension:// (blocked by default).
    args: ['--remote-allow-system-access'],
    // Release builds ignore services.settings.server (puppeteer points it at data:) unless this is set.
    env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
    // Pins the moz-extension:// host so tests know the extension origin up front.
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [geckoId]: uuid }),
      ...(opts.watch ? watchPrefs(opts.watch) : {}),
      // The UI language (needs Debian's language pack for it): browser.i18n answers with it.
      ...(opts.locale ? { 'intl.locale.requested': opts.locale } : {}),
    },
  });
  if (opts.watch) watchOutput(browserInstance, opts.watch);
  await browserInstance.installExtension(ext);
  const extensionOrigin = `moz-extension://${uuid}`;

  // puppeteer never sees a moz-extension:// navigation finish, although the document loads
  // (docs/design.md#firefox-extension-navigation): start it, then wait on location.href instead.
  const gotoExtensionPage = async (page: Page, url: string) => {
    page.goto(url, { timeout: 5_000 }).catch(() => {});
    // Poll from Node rather than waitForFunction: the navigation replaces the page's execution
    // context, which fails a waitForFunction started in the old one ("Waiting failed").
    await waitUntil(`${url} to load`, () =>
      page.evaluate((u) => location.href === u && document.readyState === 'complete', url).catch(() => false), 30_000);
  };

  const newPage = async () => {
    const page = await browserInstance.newPage();
    if (opts.watch) watchPageConsole(page, opts.watch);
    return page;
  };
  const control = await newPage();
  await gotoExtensionPage(control, `${extensionOrigin}/popup.html?tabId=0`);

  const self: ExtensionBrowser = {
    name: 'firefox',
    extensionOrigin,
    async openTab(url) {
      const before = await tabIds(self);
      const page = await newPage();
      await page.goto(url);
      return { tabId: await tabIdOf(self, page.url(), { before }), page: puppeteerUiPage(page) };
    },
    async openUi(tabId) {
      const page = await newPage();
      await page.setViewport({ width: 480, height: 640 });
      await gotoExtensionPage(page, uiUrl(extensionOrigin, tabId));
      return puppeteerUiPage(page);
    },
    evalExtension: (fn, arg) => control.evaluate(fn as never, arg) as never,
    stopBackground: () => terminateBackground(browserInstance, geckoId),
    // page.url() can lag for moz-extension:// documents (finding 3): ask the document itself.
    findPage: async (prefix, opts = {}) => puppeteerUiPage(await waitUntil(`a page at ${prefix}`, async () => {
      for (const p of await browserInstance.pages()) {
        const href = await p.evaluate(() => location.href).catch(() => p.url());
        if (href.startsWith(prefix)) return p;
      }
      return undefined;
    }, opts.timeoutMs ?? 15_000)),
    async invokeAction(url) {
      let page: Page | undefined;
      for (const p of await browserInstance.pages()) if (p.url() === url) page = p;
      if (!page) throw new Error(`no tab at ${url}`);
      await page.bringToFront();
      // Returns once the action ran; the popup's own effects (its read of the tab) are what tests
      // wait for: a headless popup panel is not always listed by extension.getViews.
      await triggerAction(browserInstance, geckoId, url);
    },
    close: () => browserInstance.close(),
  };
  return self;
}

/**
 * Every request through the leak watch's proxy, localhost included (Firefox never proxies it
 * unless allow_hijacking_localhost), https too (share_proxy_settings), and Firefox's own background
 * traffic off — puppeteer's profile already points most of it at dummy.test or data: URLs.
 * Console API calls of pages and extension contexts are copied to stdout.
 */
function watchPrefs(watch: LeakWatchHooks): Record<string, unknown> {
  return {
    'network.proxy.type': 1,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': watch.proxyPort,
    'network.proxy.share_proxy_settings': true,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': watch.proxyPort,
    'network.proxy.no_proxies_on': '',
    'network.proxy.allow_hijacking_localhost': true,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
    'network.trr.mode': 5,
    'browser.region.network.url': '',
    'browser.region.update.enabled': false,
    'toolkit.telemetry.enabled': false,
    'toolkit.telemetry.server': '',
    'extensions.blocklist.enabled': false,
    'extensions.getAddons.showPane': false,
    'devtools.console.stdout.content': true,
    'devtools.console.stdout.chrome': true,
    'browser.dom.window.dump.enabled': true,
  };
}

/** The browser process's stdout/stderr, line by line. */
function watchOutput(b: Browser, watch: LeakWatchHooks): void {
  const proc = b.process();
  for (const [name, stream] of [['stdout', proc?.stdout], ['stderr', proc?.stderr]] as const) {
    let rest = '';
    // No setEncoding: puppeteer reads the same streams and expects its own chunk type.
    stream?.on('data', (chunk: Buffer | string) => {
      const parts = (rest + String(chunk)).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) if (line.trim()) watch.console(`firefox ${name}`, line);
    });
    stream?.on('end', () => {
      if (rest.trim()) watch.console(`firefox ${name}`, rest);
    });
  }
}

function watchPageConsole(page: Page, watch: LeakWatchHooks): void {
  page.on('console', (msg) => watch.console(page.url(), msg.text()));
}
