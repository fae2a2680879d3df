/**
 * One small driver interface over a Playwright page (Chromium) and a puppeteer-core page
 * (Firefox over WebDriver BiDi), addressed by the UI's public data-testid contract.
 */
export interface UiPage {
  /** Waits until the element exists (and, if given, has the attribute value). */
  waitFor(testId: string, opts?: { attr?: [string, string]; timeoutMs?: number }): Promise<void>;
  text(testId: string): Promise<string>;
  attr(testId: string, name: string): Promise<string | null>;
  count(testId: string): Promise<number>;
  click(testId: string): Promise<void>;
  fill(testId: string, value: string): Promise<void>;
  /** A key pressed on the keyboard ("Escape", "Tab"): real input, so the browser's own handling runs. */
  press(key: string): Promise<void>;
  /** Runs a function in the page; it has the extension APIs when the page is an extension page. */
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** The whole page, or with `{ fullPage: false }` only what the viewport (popup-sized, 480×640) shows now. */
  screenshot(path: string, opts?: { fullPage?: boolean }): Promise<void>;
  html(): Promise<string>;
  close(): Promise<void>;
}

export const sel = (testId: string) => `[data-testid="${testId}"]`;

/** Poll a condition in Node, for things no selector can express. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
