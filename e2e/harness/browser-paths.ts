import { existsSync } from 'node:fs';

export type BrowserName = 'chromium' | 'firefox';

/** Debian's binaries; never a downloaded browser. Overridable for other machines. */
export const browserBinaries: Record<BrowserName, { path: string; aptPackage: string }> = {
  // The real binary, not the /usr/bin/chromium wrapper script (which adds flags and noise).
  chromium: { path: process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium', aptPackage: 'chromium' },
  firefox: { path: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr', aptPackage: 'firefox-esr' },
};

/** One line per missing browser, naming the Debian package to install. */
export function missingBrowsers(): string[] {
  return Object.values(browserBinaries)
    .filter((b) => !existsSync(b.path))
    .map((b) => `missing browser: ${b.path} not found — install the Debian package "${b.aptPackage}" (apt-get install -y ${b.aptPackage})`);
}
