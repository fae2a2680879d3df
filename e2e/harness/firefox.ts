/**
 * Debian's Firefox ESR through puppeteer-core over WebDriver BiDi, the test build installed as a
 * temporary add-on. Playwright cannot drive a stock Firefox (it needs its patched build).
 */
import puppeteer, { type Page } from 'puppeteer-core';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { browserBinaries } from './browser-paths.ts';
import { TEST_BUILD, tabIdOf, uiUrl, type ExtensionBrowser } from './extension-browser.ts';
import { sel, waitUntil, type UiPage } from './ui-page.ts';

export function puppeteerUiPage(page: Page): UiPage {
  return {
    async waitFor(testId, opts = {}) {
      const s = opts.attr ? `${sel(testId)}[${opts.attr[0]}="${opts.attr[1]}"]` : sel(testId);
      await page.waitForSelector(s, { timeout: opts.timeoutMs ?? 15_000 });
    },
    text: (testId) => page.$eval(sel(testId), (e) => e.textContent ?? ''),
    attr: (testId, name) => page.$eval(sel(testId), (e, n) => e.getAttribute(n), name),
    count: (testId) => page.$$eval(sel(testId), (es) => es.length),
    click: (testId) => page.click(sel(testId)),
    async fill(testId, value) {
      await page.$eval(sel(testId), (e) => ((e as HTMLInputElement).value = ''));
      await page.type(sel(testId), value);
    },
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    screenshot: async (path) => void (await page.screenshot({ path, fullPage: true })),
    html: () => page.content(),
    close: () => page.close(),
  };
}

export async function launchFirefox(opts: { extensionDir?: string; headless?: boolean } = {}): Promise<ExtensionBrowser> {
  const ext = opts.extensionDir ?? TEST_BUILD.firefox;
  const geckoId: string = JSON.parse(readFileSync(join(ext, 'manifest.json'), 'utf8')).browser_specific_settings.gecko.id;
  const uuid = randomUUID();
  const browserInstance = await puppeteer.launch({
    browser: 'firefox',
    executablePath: browserBinaries.firefox.path,
    headless: opts.headless ?? true,
    // Lets WebDriver navigate a tab to moz-extension:// (blocked by default).
    args: ['--remote-allow-system-access'],
    // Pins the moz-extension:// host so tests know the extension origin up front.
    extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [geckoId]: uuid }) },
  });
  await browserInstance.installExtension(ext);
  const extensionOrigin = `moz-extension://${uuid}`;

  // puppeteer never sees a moz-extension:// navigation finish, although the document loads
  // (browser-testing.md §4 finding 3): start it, then wait on location.href instead.
  const gotoExtensionPage = async (page: Page, url: string) => {
    page.goto(url, { timeout: 5_000 }).catch(() => {});
    // Poll from Node rather than waitForFunction: the navigation replaces the page's execution
    // context, which fails a waitForFunction started in the old one ("Waiting failed").
    await waitUntil(`${url} to load`, () =>
      page.evaluate((u) => location.href === u && document.readyState === 'complete', url).catch(() => false), 30_000);
  };

  const control = await browserInstance.newPage();
  await gotoExtensionPage(control, `${extensionOrigin}/popup.html?tabId=0`);

  const self: ExtensionBrowser = {
    name: 'firefox',
    extensionOrigin,
    async openTab(url) {
      const page = await browserInstance.newPage();
      await page.goto(url);
      return { tabId: await tabIdOf(self, page.url()), page: puppeteerUiPage(page) };
    },
    async openUi(tabId) {
      const page = await browserInstance.newPage();
      await page.setViewport({ width: 480, height: 640 });
      await gotoExtensionPage(page, uiUrl(extensionOrigin, tabId));
      return puppeteerUiPage(page);
    },
    evalExtension: (fn, arg) => control.evaluate(fn as never, arg) as never,
    // page.url() can lag for moz-extension:// documents (finding 3): ask the document itself.
    findPage: async (prefix, opts = {}) => puppeteerUiPage(await waitUntil(`a page at ${prefix}`, async () => {
      for (const p of await browserInstance.pages()) {
        const href = await p.evaluate(() => location.href).catch(() => p.url());
        if (href.startsWith(prefix)) return p;
      }
      return undefined;
    }, opts.timeoutMs ?? 15_000)),
    close: () => browserInstance.close(),
  };
  return self;
}
