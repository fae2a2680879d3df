// The origins an e2e browser may send requests to, registered where the servers start (the test
// Synapse, fixture web-app pages) or passed by a test to launchBrowser({ allowOrigins }). Anything
// else the leak watch sees on the wire fails the test.

/**
 * homeserver: a Matrix homeserver — the only kind of origin an access token or a password may go to.
 * page: a web page the test opens in a tab (the user chose to open it).
 * server: another server a test started on purpose.
 */
export type OriginRole = 'homeserver' | 'page' | 'server' | 'browser-noise';

const allowed = new Map<string, OriginRole>();

/**
 * Chromium's own requests that no flag turns off (each checked with --log-net-log). They are
 * allowed by exact origin only so the watch does not cry wolf; the proxy still refuses them (no
 * browser-noise request leaves the machine), and a secret inside one is still a leak.
 */
const BROWSER_NOISE: ReadonlyMap<string, string> = new Map([
  // GAIA cookie check (POST /ListAccounts, no body of ours): made although Playwright enables
  // SkipListAccountsWithoutGaiaCookies, and a signin.allowed=false profile does not stop it either.
  ['https://accounts.google.com', 'Chromium account check'],
  // An on-demand component install (appid ceofaddefefcbblgcgnibnonglccbfja), made despite
  // --disable-component-update; Chromium tries https first, then falls back to http.
  ['https://update.googleapis.com', 'Chromium component updater'],
  ['http://update.googleapis.com', 'Chromium component updater'],
]);

/** origin → the homeserver origin it fronts (a fault proxy) or impersonates (a scripted stand-in). */
const aliases = new Map<string, string>();

/**
 * Allow requests to the origin of `url` for the rest of this test process. `frontsFor`: a
 * homeserver that is really another one's front (a fault proxy, a scripted stand-in seeded with
 * that server's account), so that server's tokens and passwords may go to it too.
 */
export function allowOrigin(url: string, role: OriginRole, opts: { frontsFor?: string } = {}): void {
  const origin = new URL(url).origin;
  // A homeserver stays a homeserver even if a test also opens a page on it.
  if (allowed.get(origin) !== 'homeserver') allowed.set(origin, role);
  if (opts.frontsFor !== undefined) aliases.set(origin, canonicalHomeserver(opts.frontsFor));
}

/** The homeserver origin a URL's origin stands for (itself unless it fronts another). */
export function canonicalHomeserver(url: string): string {
  const origin = new URL(url).origin;
  return aliases.get(origin) ?? origin;
}

/** The role of an allowed origin, or undefined when nobody allowed it. */
export function originRole(origin: string, extra: ReadonlyMap<string, OriginRole> = new Map()): OriginRole | undefined {
  return allowed.get(origin) ?? extra.get(origin) ?? (BROWSER_NOISE.has(origin) ? 'browser-noise' : undefined);
}
