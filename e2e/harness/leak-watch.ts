// The leak watch: every browser an e2e test launches (browsers.ts) is pointed at a recording
// proxy and has its console captured; at close it checks, against the secrets registry, that
// - storage.local/sync hold no registered secret, storage.session no password, recovery key or key;
// - every request went to an allowed origin, and tokens and passwords only to their homeserver;
// - no console line (extension pages, background, browser stdout/stderr) printed a secret.
// It fails the close with every finding listed, and prints counts when the test process exits.
import { canonicalHomeserver, originRole, type OriginRole } from './allowed-origins.ts';
import { startRecordingProxy, type RecordedRequest } from './recording-proxy.ts';
import { describeSecret, secretsIn, type RegisteredSecret, type SecretKind } from './secrets-registry.ts';

/** What a launcher needs from the watch. */
export type LeakWatchHooks = {
  readonly proxyPort: number;
  /** One console line; `source` says which context or stream printed it. */
  console(source: string, text: string): void;
};

export type ExtensionStores = { local: string; sync: string; session: string };

export class LeakError extends Error {
  override name = 'LeakError';
  constructor(readonly browserName: string, readonly leaks: string[]) {
    super(`leak-watch (${browserName}): ${leaks.length} leak(s):\n  - ${leaks.join('\n  - ')}`);
  }
}

const totals = { browsers: 0, requests: 0, origins: new Set<string>(), consoleLines: 0, leaks: 0, planted: 0 };

/** A test that leaked on purpose (to show the watch fails) says so, for an honest summary. */
export function leaksWerePlanted(error: LeakError): void {
  totals.planted += error.leaks.length;
}
let summaryHooked = false;

/** Printed once per test process, so the test command's output shows what was watched. */
export function leakWatchSummary(): string {
  return `leak-watch: ${totals.browsers} browsers closed, ${totals.requests} requests to ${totals.origins.size} origins, ${totals.consoleLines} console lines, ${totals.leaks} leaks${totals.planted ? ` (${totals.planted} planted by the test)` : ''}`;
}

const NEVER_AT_REST_IN_SESSION: SecretKind[] = ['password', 'recovery-key', 'private-key', 'refresh-token'];

export type BrowserLeakWatch = {
  hooks: LeakWatchHooks;
  /** Dump storage, close the browser, then check everything; throws LeakError on a finding. */
  finish(dumpStores: () => Promise<ExtensionStores>, closeBrowser: () => Promise<void>): Promise<void>;
  /** Stop the proxy of a browser that never launched. */
  discard(): Promise<void>;
};

export async function startLeakWatch(browserName: string, opts: { allowOrigins?: readonly string[] } = {}): Promise<BrowserLeakWatch> {
  if (!summaryHooked) {
    summaryHooked = true;
    process.on('exit', () => console.log(leakWatchSummary()));
  }
  const extra = new Map<string, OriginRole>((opts.allowOrigins ?? []).map((u) => [new URL(u).origin, 'server']));
  const proxy = await startRecordingProxy((origin) => {
    const role = originRole(origin, extra);
    return role !== undefined && role !== 'browser-noise';
  });
  const lines: { source: string; text: string }[] = [];
  return {
    hooks: { proxyPort: proxy.port, console: (source, text) => void lines.push({ source, text }) },
    discard: () => proxy.close(),
    async finish(dumpStores, closeBrowser) {
      const leaks: string[] = [];
      let stores: ExtensionStores | undefined;
      try {
        stores = await dumpStores();
      } catch (e) {
        leaks.push(`could not read extension storage to check it: ${String(e).slice(0, 300)}`);
      }
      try {
        await closeBrowser();
      } finally {
        await proxy.close();
      }
      if (stores) leaks.push(...storageLeaks(stores));
      leaks.push(...requestLeaks(proxy.requests, extra));
      for (const { source, text } of lines) {
        for (const s of secretsIn(text)) leaks.push(`console (${source}) printed ${describeSecret(s)}`);
      }
      totals.browsers += 1;
      totals.requests += proxy.requests.length;
      for (const r of proxy.requests) totals.origins.add(r.origin);
      totals.consoleLines += lines.length;
      totals.leaks += leaks.length;
      if (leaks.length) throw new LeakError(browserName, leaks);
    },
  };
}

export function storageLeaks(stores: ExtensionStores): string[] {
  return [
    ...secretsIn(stores.local).map((s) => `storage.local holds ${describeSecret(s)}`),
    ...secretsIn(stores.sync).map((s) => `storage.sync holds ${describeSecret(s)}`),
    ...secretsIn(stores.session, NEVER_AT_REST_IN_SESSION).map((s) => `storage.session holds ${describeSecret(s)}`),
  ];
}

/** May this secret travel to this origin? Tokens and passwords: their own homeserver only. */
function mayTravel(s: RegisteredSecret, origin: string, role: OriginRole | undefined): boolean {
  if (s.kind !== 'access-token' && s.kind !== 'password') return false;
  // A secret typed into the UI does not know its homeserver: any homeserver the test runs.
  return s.homeserver === undefined ? role === 'homeserver' : role === 'homeserver' && canonicalHomeserver(s.homeserver) === canonicalHomeserver(origin);
}

export function requestLeaks(requests: readonly RecordedRequest[], extra: ReadonlyMap<string, OriginRole>): string[] {
  const leaks: string[] = [];
  // One line per unexpected origin, not one per request.
  const unexpected = new Map<string, { count: number; first: string }>();
  for (const r of requests) {
    const role = originRole(r.origin, extra);
    // The path only: a query string could itself carry the secret being reported.
    const where = `${r.method} ${r.origin}${safePath(r.url)}`;
    if (role === undefined) {
      const u = unexpected.get(r.origin);
      if (u) u.count += 1;
      else unexpected.set(r.origin, { count: 1, first: where });
    }
    // The extension's own requests go to homeservers or servers a test started, never to the web
    // page it reads: that page's server is not the session's.
    if (role === 'page' && byExtension(r.headers)) {
      leaks.push(`the extension itself sent a request to a web page's server: ${where}`);
    }
    const found = secretsIn([r.url, r.headers, r.authorization ?? '', r.body].join('\n'));
    for (const s of found) if (!mayTravel(s, r.origin, role)) leaks.push(`${describeSecret(s)} sent in ${where}`);
    const bearerKnown = found.some((s) => s.kind === 'access-token' && r.authorization?.includes(s.value));
    if (r.authorization !== undefined && !bearerKnown && role !== 'homeserver') {
      leaks.push(`an Authorization header sent to a non-homeserver in ${where}`);
    }
  }
  for (const [origin, u] of unexpected) leaks.push(`${u.count} request(s) to non-allowed origin ${origin}, first: ${u.first}`);
  return leaks;
}

/**
 * A fetch()/XHR (sec-fetch-dest: empty, sent to localhost since it is potentially trustworthy)
 * with no Referer, or with an extension Origin, comes from the extension: the tab's navigations
 * are `document`, its subresources carry the page as Referer (checked on Chromium 156, Firefox 153).
 */
function byExtension(headers: string): boolean {
  if (/^origin: (chrome|moz)-extension:\/\//m.test(headers)) return true;
  return /^sec-fetch-dest: empty$/m.test(headers) && !/^referer: /m.test(headers);
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}
