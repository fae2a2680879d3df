/** Debian's Chromium through Playwright, with the unpacked test build loaded. */
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserBinaries } from './browser-paths.ts';
import { TEST_BUILD, tabIdOf, tabIds, uiUrl, type ExtensionBrowser } from './extension-browser.ts';
import type { LeakWatchHooks } from './leak-watch.ts';
import { sel, waitUntil, type UiPage } from './ui-page.ts';

export function playwrightUiPage(page: Page): UiPage {
  return {
    async waitFor(testId, opts = {}) {
      const s = opts.attr ? `${sel(testId)}[${opts.attr[0]}="${opts.attr[1]}"]` : sel(testId);
      await page.locator(s).first().waitFor({ state: 'attached', timeout: opts.timeoutMs ?? 15_000 });
    },
    text: async (testId) => (await page.locator(sel(testId)).first().textContent()) ?? '',
    attr: (testId, name) => page.locator(sel(testId)).first().getAttribute(name),
    count: (testId) => page.locator(sel(testId)).count(),
    click: (testId) => page.locator(sel(testId)).first().click(),
    fill: (testId, value) => page.locator(sel(testId)).first().fill(value),
    press: (key) => page.keyboard.press(key),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    screenshot: async (path, opts) => void (await page.screenshot({ path, fullPage: opts?.fullPage ?? true })),
    html: () => page.content(),
    close: () => page.close(),
  };
}

export async function launchChromium(opts: { extensionDir?: string; headless?: boolean; watch?: LeakWatchHooks; locale?: string } = {}): Promise<ExtensionBrowser> {
  const ext = opts.extensionDir ?? TEST_BUILD.chromium;
  const profile = mkdtempSync(join(tmpdir(), 'xsign-chromium-'));
  const stderrLog = join(profile, 'leak-watch-stderr.log');
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: opts.watch ? stderrLoggingWrapper(profile, browserBinaries.chromium.path, stderrLog) : browserBinaries.chromium.path,
    headless: opts.headless ?? true,
    viewport: { width: 480, height: 640 },
    // --disable-extensions-except is required: Playwright passes --disable-extensions by default.
    args: [
      `--disable-extensions-except=${ext}`,
      `--load-extension=${ext}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      // Lets CDP's Extensions domain trigger the toolbar action (invokeAction).
      '--enable-unsafe-extension-debugging',
      ...(opts.watch ? watchArgs(opts.watch) : []),
      // The UI language, which chrome.i18n answers with (docs/design.md#translations).
      ...(opts.locale ? [`--lang=${opts.locale}`] : []),
    ],
    ...(opts.locale ? { env: { ...process.env, LANGUAGE: opts.locale } } : {}),
  });
  if (opts.watch) watchConsole(context, opts.watch);
  const worker = async (): Promise<Worker> => context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  // Node’s URL gives origin "null" for non-special schemes, so build it from the host.
  const extensionOrigin = `chrome-extension://${new URL((await worker()).url()).host}`;

  const self: ExtensionBrowser = {
    name: 'chromium',
    extensionOrigin,
    async openTab(url) {
      const before = await tabIds(self);
      const page = await context.newPage();
      await page.goto(url);
      return { tabId: await tabIdOf(self, page.url(), { before }), page: playwrightUiPage(page) };
    },
    async openUi(tabId) {
      const page = await context.newPage();
      await page.goto(uiUrl(extensionOrigin, tabId));
      return playwrightUiPage(page);
    },
    // The worker may have been stopped since the last call; re-resolve it every time.
    evalExtension: async (fn, arg) => (await worker()).evaluate(fn as never, arg) as never,
    async stopBackground() {
      // CDP on any page reaches the browser's ServiceWorker domain; ours is the only worker.
      const page = await context.newPage();
      try {
        const cdp = await context.newCDPSession(page);
        await cdp.send('ServiceWorker.enable');
        await cdp.send('ServiceWorker.stopAllWorkers');
      } finally {
        await page.close();
      }
    },
    async invokeAction(url) {
      const page = context.pages().find((p) => p.url() === url);
      if (!page) throw new Error(`no tab at ${url}`);
      // The action acts on the active tab of the focused window, as a click would.
      await page.bringToFront();
      const browserInstance = context.browser();
      if (!browserInstance) throw new Error('no browser-level CDP session');
      const cdp = await browserInstance.newBrowserCDPSession();
      try {
        type Target = { targetId: string; type: string; url: string };
        // Tab targets are listed only when asked for (the default filter leaves them out).
        const targets = async () => ((await cdp.send('Target.getTargets', { filter: [{}] } as never)) as unknown as { targetInfos: Target[] }).targetInfos;
        const tab = (await targets()).find((t) => t.type === 'tab' && t.url === url);
        if (!tab) throw new Error(`no tab target at ${url}`);
        const popup = `${extensionOrigin}/popup.html`;
        const before = (await targets()).filter((t) => t.url === popup).length;
        // The extension id, and a TAB target (a page target is refused).
        await cdp.send('Extensions.triggerAction' as never, { id: new URL(extensionOrigin).host, targetId: tab.targetId } as never);
        await waitUntil('the action popup', async () => (await targets()).filter((t) => t.url === popup).length > before);
      } finally {
        await cdp.detach();
      }
    },
    findPage: async (prefix, opts = {}) => playwrightUiPage(await waitUntil(`a page at ${prefix}`,
      async () => context.pages().find((p) => p.url().startsWith(prefix)), opts.timeoutMs ?? 15_000)),
    async close() {
      await context.close();
      if (opts.watch && existsSync(stderrLog)) {
        for (const line of readFileSync(stderrLog, 'utf8').split('\n')) if (line.trim()) opts.watch.console('chromium stderr', line);
      }
      rmSync(profile, { recursive: true, force: true });
    },
  };
  return self;
}

/**
 * Every request through the leak watch's proxy — loopback too: Chromium bypasses proxies for
 * localhost unless told otherwise, and all test servers are on loopback. Console messages go to
 * stderr (--enable-logging), so worker and page output is caught even where no CDP event fires.
 */
function watchArgs(watch: LeakWatchHooks): string[] {
  return [
    `--proxy-server=http://127.0.0.1:${watch.proxyPort}`,
    '--proxy-bypass-list=<-loopback>',
    '--enable-logging=stderr',
    '--v=0',
    // Background traffic a test never asked for: off, so that what remains is the extension's.
    '--disable-domain-reliability',
    '--disable-client-side-phishing-detection',
    '--disable-default-apps',
    '--no-pings',
    // No --disable-features here: the last one on the command line wins, and Playwright's own
    // list is what turns off network time queries and optimization hints.
  ];
}

/**
 * The binary behind a two-line shell wrapper that appends its stderr to a file: Playwright keeps
 * the browser's output to itself (its `logger` option no longer passes it on). Written straight to
 * the file, not through tee, so every line is there the moment the browser has exited.
 */
function stderrLoggingWrapper(dir: string, binary: string, logFile: string): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const wrapper = join(dir, 'chromium-with-stderr-log.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${quote(binary)} "$@" 2>>${quote(logFile)}\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

/** Console messages of every page (extension pages included) and of the service worker. */
function watchConsole(context: BrowserContext, watch: LeakWatchHooks): void {
  context.on('console', (msg) => {
    watch.console(msg.worker()?.url() ?? msg.page()?.url() ?? 'unknown context', msg.text());
  });
}
