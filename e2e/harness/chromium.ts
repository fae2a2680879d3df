/** Debian's Chromium through Playwright, with the unpacked test build loaded. */
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserBinaries } from './browser-paths.ts';
import { TEST_BUILD, tabIdOf, uiUrl, type ExtensionBrowser } from './extension-browser.ts';
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
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    screenshot: async (path) => void (await page.screenshot({ path, fullPage: true })),
    html: () => page.content(),
    close: () => page.close(),
  };
}

export async function launchChromium(opts: { extensionDir?: string; headless?: boolean } = {}): Promise<ExtensionBrowser> {
  const ext = opts.extensionDir ?? TEST_BUILD.chromium;
  const profile = mkdtempSync(join(tmpdir(), 'xsign-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: browserBinaries.chromium.path,
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
    ],
  });
  const worker = async (): Promise<Worker> => context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  // Node’s URL gives origin "null" for non-special schemes, so build it from the host.
  const extensionOrigin = `chrome-extension://${new URL((await worker()).url()).host}`;

  const self: ExtensionBrowser = {
    name: 'chromium',
    extensionOrigin,
    async openTab(url) {
      const page = await context.newPage();
      await page.goto(url);
      return { tabId: await tabIdOf(self, page.url()), page: playwrightUiPage(page) };
    },
    async openUi(tabId) {
      const page = await context.newPage();
      await page.goto(uiUrl(extensionOrigin, tabId));
      return playwrightUiPage(page);
    },
    // The worker may have been stopped since the last call; re-resolve it every time.
    evalExtension: async (fn, arg) => (await worker()).evaluate(fn as never, arg) as never,
    findPage: async (prefix, opts = {}) => playwrightUiPage(await waitUntil(`a page at ${prefix}`,
      async () => context.pages().find((p) => p.url().startsWith(prefix)), opts.timeoutMs ?? 15_000)),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
  return self;
}
