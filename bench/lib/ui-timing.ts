/**
 * Time to verdict. Each run opens a fresh UI page (popup.html?tabId=N) on the same web-app tab, so
 * every run re-reads the session from the tab, validates it and inspects the account.
 * - in page (what results.per_devices reports): the popup's own `xsd:verdict` performance mark,
 *   set by a MutationObserver when the verdict is first in the DOM (src/popup/index.tsx), in ms
 *   since the page's time origin (its navigation start): popup start-up included, the drivers'
 *   page creation and polling not.
 * - driver (`ms`, kept for comparison with older results): from the openUi() call to the driver
 *   seeing `[data-testid="status-verdict"]`.
 * Warm: the background is running (and has read this account before); cold: it is stopped just
 * before the run (ExtensionBrowser.stopBackground), so the run includes its start.
 * The same object measures the floor (bench/lib/floor.ts) in an empty extension page.
 */
import type { BrowserName } from '../../e2e/harness/browser-paths.ts';
import { launchBrowser } from '../../e2e/harness/browsers.ts';
import type { ExtensionBrowser } from '../../e2e/harness/extension-browser.ts';
import { waitUntil, type UiPage } from '../../e2e/harness/ui-page.ts';
import { EMPTY_PAGE } from './bench-build.ts';
import { floorInPageSource, type FloorInput, type FloorResult } from './floor.ts';

export type UiTarget = { devices: number; pageUrl: string; floor: FloorInput };
export type UiSample = {
  ms: number;
  /** In-page: navigation start → verdict in the DOM. */
  verdictMs: number;
  /** In-page: navigation start → the popup's script running. */
  openMs: number;
  healthy: boolean;
  retries: string[];
};
export type FloorSample = FloorResult & { emptyStartMs: number; totalMs: number };
/** In-page: click → the virtualized table drawn and painted; then the longest frame while scrolling to the end. */
export type ScrollSample = { showAllMs: number; maxFrameMs: number; frames: number; reachedEnd: boolean };

/** Attempts per run when the driver fails to open the UI page at all (a harness flake, not a result). */
const OPEN_ATTEMPTS = 3;

/** Resolves when the verdict is there; rejects as soon as the UI shows an error instead. */
async function waitForVerdict(ui: UiPage, timeoutMs: number): Promise<void> {
  const failure = async (testId: string) => {
    await ui.waitFor(testId, { timeoutMs });
    throw new Error(`the UI showed ${testId}: ${(await ui.text(testId).catch(() => '?')).trim()}`);
  };
  const errors = [failure('status-error'), failure('error')];
  try {
    await Promise.race([ui.waitFor('status-verdict', { timeoutMs }), ...errors]);
  } finally {
    for (const e of errors) e.catch(() => {}); // the losers reject when the page closes
  }
}

export type UiBench = {
  readonly name: BrowserName;
  /** One timed run for the account with `devices` devices; `cold` stops the background first. */
  run(devices: number, opts?: { cold?: boolean }): Promise<UiSample>;
  /** One floor sample: an empty extension page's start-up, then the bare requests in it. */
  floor(devices: number): Promise<FloorSample>;
  /** "Show all" on the device table, then scrolling it to the end one step per frame. */
  scroll(devices: number): Promise<ScrollSample>;
  close(): Promise<void>;
};

/** Launches the browser with the test build and opens one web-app tab per target. */
export async function openUiBench(
  name: BrowserName,
  targets: readonly UiTarget[],
  opts: { timeoutMs: number; log: (line: string) => void; extensionDir?: string },
): Promise<UiBench> {
  const browser: ExtensionBrowser = await launchBrowser(name, { headless: true, leakWatch: false, ...(opts.extensionDir ? { extensionDir: opts.extensionDir } : {}) });
  const tabs = new Map<number, number>();
  const floors = new Map(targets.map((t) => [t.devices, t.floor]));
  let emptyPages = 0;
  try {
    for (const t of targets) tabs.set(t.devices, (await browser.openTab(t.pageUrl)).tabId);
  } catch (e) {
    await browser.close().catch(() => {});
    throw e;
  }
  let closed = false;
  return {
    name,
    async run(devices, runOpts = {}) {
      const tabId = tabs.get(devices);
      if (tabId === undefined) throw new RangeError(`no tab for ${devices} devices`);
      if (runOpts.cold === true) await browser.stopBackground();
      const retries: string[] = [];
      let t0 = 0;
      let ui: UiPage | undefined;
      for (let attempt = 1; !ui; attempt++) {
        t0 = performance.now();
        try {
          ui = await browser.openUi(tabId);
        } catch (e) {
          // e.g. puppeteer's "Waiting failed" while Firefox swaps about:blank for the extension
          // page. The attempt is discarded and the run starts over with a fresh page.
          const why = e instanceof Error ? `${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}` : String(e);
          opts.log(`${name} ${devices} devices: openUi failed (attempt ${attempt}): ${why}`);
          retries.push(why);
          if (attempt >= OPEN_ATTEMPTS) throw e;
        }
      }
      try {
        await waitForVerdict(ui, opts.timeoutMs);
        const ms = performance.now() - t0;
        const page = ui;
        const marks = await waitUntil('the xsd:verdict mark', () => page.evaluate(() => {
          const verdict = performance.getEntriesByName('xsd:verdict')[0];
          const open = performance.getEntriesByName('xsd:open')[0];
          return verdict && open ? { verdictMs: verdict.startTime, openMs: open.startTime } : undefined;
        }, undefined));
        return { ms, ...marks, healthy: (await ui.attr('status-verdict', 'data-healthy')) === 'true', retries };
      } finally {
        await ui.close().catch(() => {});
      }
    },
    async scroll(devices) {
      const tabId = tabs.get(devices);
      if (tabId === undefined) throw new RangeError(`no tab for ${devices} devices`);
      const ui = await browser.openUi(tabId);
      try {
        await waitForVerdict(ui, opts.timeoutMs);
        // No named inner functions: the page has no __name helper (see floor.ts).
        return await ui.evaluate(async (n: number) => {
          const t0 = performance.now();
          (document.querySelector('[data-testid="devices-show-all"]') as HTMLButtonElement).click();
          while (!document.querySelector('[data-testid="devices-scroll"]')) await new Promise<number>((r) => requestAnimationFrame(r));
          await new Promise<number>((r) => requestAnimationFrame(r));
          const showAllMs = performance.now() - t0;
          const box = document.querySelector('[data-testid="devices-scroll"]') as HTMLElement;
          let last = performance.now();
          let maxFrameMs = 0;
          let frames = 0;
          while (box.getAttribute('data-last') !== String(n) || box.scrollTop + box.clientHeight < box.scrollHeight - 1) {
            if (frames > 5000) break;
            box.scrollTop += box.clientHeight;
            await new Promise<number>((r) => requestAnimationFrame(r));
            const now = performance.now();
            maxFrameMs = Math.max(maxFrameMs, now - last);
            last = now;
            frames++;
          }
          return { showAllMs, maxFrameMs, frames, reachedEnd: box.getAttribute('data-last') === String(n) };
        }, devices);
      } finally {
        await ui.close().catch(() => {});
      }
    },
    async floor(devices) {
      const input = floors.get(devices);
      if (!input) throw new RangeError(`no account for ${devices} devices`);
      const path = `${EMPTY_PAGE}?n=${++emptyPages}`;
      await browser.evalExtension(async (p: string) => {
        type Api = { tabs: { create(o: { url: string }): Promise<unknown> }; runtime: { getURL(p: string): string } };
        const g = globalThis as { browser?: Api; chrome?: Api };
        const api = (g.browser ?? g.chrome)!;
        await api.tabs.create({ url: api.runtime.getURL(p) });
      }, path);
      const page = await browser.findPage(`${browser.extensionOrigin}/${path}`, { timeoutMs: opts.timeoutMs });
      try {
        const emptyStartMs = await waitUntil('the empty page\u2019s mark', () => page.evaluate(() => performance.getEntriesByName('xsd:open')[0]?.startTime, undefined));
        const work = await page.evaluate(floorInPageSource, input);
        return { ...work, emptyStartMs, totalMs: emptyStartMs + work.ms };
      } finally {
        await page.close().catch(() => {});
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await browser.close().catch(() => {});
    },
  };
}
