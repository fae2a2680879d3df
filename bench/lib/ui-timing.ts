/**
 * time_to_status_ms: from the openUi() call (the extension UI opened as a tab bound to the web
 * app's tab) to the complete report rendered (`[data-testid="status-verdict"]` present). Each run
 * opens a fresh UI page on the same web-app tab, so every run re-reads the session from the tab,
 * validates it and inspects the account.
 */
import type { BrowserName } from '../../e2e/harness/browser-paths.ts';
import { launchBrowser } from '../../e2e/harness/browsers.ts';
import type { ExtensionBrowser } from '../../e2e/harness/extension-browser.ts';
import type { UiPage } from '../../e2e/harness/ui-page.ts';

export type UiTarget = { devices: number; pageUrl: string };
export type UiSample = { ms: number; healthy: boolean; retries: string[] };

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
  /** One timed run for the account with `devices` devices. */
  run(devices: number): Promise<UiSample>;
  close(): Promise<void>;
};

/** Launches the browser with the test build and opens one web-app tab per target. */
export async function openUiBench(
  name: BrowserName,
  targets: readonly UiTarget[],
  opts: { timeoutMs: number; log: (line: string) => void },
): Promise<UiBench> {
  const browser: ExtensionBrowser = await launchBrowser(name, { headless: true, leakWatch: false });
  const tabs = new Map<number, number>();
  try {
    for (const t of targets) tabs.set(t.devices, (await browser.openTab(t.pageUrl)).tabId);
  } catch (e) {
    await browser.close().catch(() => {});
    throw e;
  }
  let closed = false;
  return {
    name,
    async run(devices) {
      const tabId = tabs.get(devices);
      if (tabId === undefined) throw new RangeError(`no tab for ${devices} devices`);
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
        return { ms, healthy: (await ui.attr('status-verdict', 'data-healthy')) === 'true', retries };
      } finally {
        await ui.close().catch(() => {});
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await browser.close().catch(() => {});
    },
  };
}
