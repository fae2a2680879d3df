import type { BrowserName } from './browser-paths.ts';
import type { ExtensionBrowser } from './extension-browser.ts';
import { launchChromium } from './chromium.ts';
import { launchFirefox } from './firefox.ts';

export const BROWSERS: BrowserName[] = ['chromium', 'firefox'];

export function launchBrowser(name: BrowserName, opts: { extensionDir?: string; headless?: boolean } = {}): Promise<ExtensionBrowser> {
  return name === 'chromium' ? launchChromium(opts) : launchFirefox(opts);
}
