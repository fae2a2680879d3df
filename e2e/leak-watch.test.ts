// The leak watch itself, in both browsers: a clean flow closes without a finding, and each kind of
// leak — a token at rest in storage.local, a request to an origin nobody allowed, a token sent to a
// server that is not its homeserver, a password printed to the console — makes close() reject
// with a LeakError naming exactly that leak (and nothing else, so the watch has no noise).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BROWSERS, launchBrowser } from './harness/browsers.ts';
import { LeakError, leaksWerePlanted } from './harness/leak-watch.ts';
import { connectManually } from './harness/status-ui.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { createSecretStorageKey } from './harness/identity.ts';
import { registerUser, type TestUser } from './harness/users.ts';
import { serveWebApp } from './harness/web-app-pages.ts';

/** A local server no test registered as allowed; it answers with CORS so the fetch completes. */
async function strayServer(): Promise<{ origin: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'authorization' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

/**
 * close() must reject with a LeakError whose findings all match `finding` (one leak may be seen
 * more than once, e.g. a console line both as a console event and on the browser's stderr).
 */
async function assertOnlyLeak(close: Promise<void>, finding: RegExp): Promise<string[]> {
  let leaks: string[] = [];
  await assert.rejects(close, (e: unknown) => {
    assert.ok(e instanceof LeakError, `not a LeakError: ${String(e)}`);
    leaksWerePlanted(e);
    assert.ok(e.leaks.length >= 1);
    for (const leak of e.leaks) assert.match(leak, finding, `unexpected finding among:\n${e.leaks.join('\n')}`);
    leaks = e.leaks;
    return true;
  });
  return leaks;
}

for (const name of BROWSERS) {
  describe(`leak watch (${name})`, () => {
    let hs: SynapseInfo;
    let user: TestUser;
    let stray: Awaited<ReturnType<typeof strayServer>>;
    before(async () => {
      hs = await testSynapse();
      user = await registerUser(hs);
      stray = await strayServer();
    });
    after(() => new Promise<void>((resolve) => stray.server.close(() => resolve())));

    test('a clean flow (manual connect, status report) closes without a finding', async () => {
      const b = await launchBrowser(name);
      const ui = await connectManually(b, hs, user.accessToken);
      await ui.close();
      await b.close();
    });

    test('an access token planted in storage.local is reported', async () => {
      const b = await launchBrowser(name);
      await b.evalExtension((t) => browser.storage.local.set({ planted: t }), user.accessToken);
      await assertOnlyLeak(b.close(), /^storage\.local holds access-token "access token of @/);
    });

    test('storage.session may hold the access token (by design) but not a recovery key', async () => {
      const { fixture } = await createSecretStorageKey();
      const b = await launchBrowser(name);
      await b.evalExtension(([t, k]) => browser.storage.session.set({ token: t, key: k }), [user.accessToken, fixture.recoveryKey] as const);
      await assertOnlyLeak(b.close(), /^storage\.session holds recovery-key "recovery key of /);
    });

    test('a request to an origin nobody allowed is reported', async () => {
      const b = await launchBrowser(name);
      // The proxy answers 403 itself (a CORS failure for the fetch): nothing reaches the server.
      await b.evalExtension((u) => fetch(`${u}/beacon?x=1`).then((r) => r.status, (e: unknown) => String(e)), stray.origin);
      assert.deepEqual(stray.hits, [], 'the proxy must not forward to an origin nobody allowed');
      await assertOnlyLeak(b.close(), new RegExp(`^1 request\\(s\\) to non-allowed origin ${stray.origin}, first: GET ${stray.origin}/beacon$`));
    });

    test('the extension fetching the web page\u2019s own server (allowed for the tab) is reported', async () => {
      const app = await serveWebApp({});
      const b = await launchBrowser(name);
      try {
        await b.evalExtension((u) => fetch(u).then((r) => r.status), app.url);
        await assertOnlyLeak(b.close(), new RegExp(`^the extension itself sent a request to a web page's server: GET ${app.origin}/$`));
      } finally {
        await app.close();
      }
    });

    test('an access token sent to an allowed server that is not its homeserver is reported', async () => {
      const b = await launchBrowser(name, { allowOrigins: [stray.origin] });
      await b.evalExtension(
        async ([u, t]) => (await fetch(`${u}/whoami`, { headers: { authorization: `Bearer ${t}` } })).status,
        [stray.origin, user.accessToken] as const,
      );
      await assertOnlyLeak(b.close(), new RegExp(`^access-token "access token of @[^"]+" \\(syt_…, \\d+ chars\\) sent in GET ${stray.origin}/whoami$`));
    });

    test('a password printed to the console of an extension page is reported', async () => {
      const b = await launchBrowser(name);
      const ui = await b.openUi();
      await ui.waitFor('app', { attr: ['data-loading', 'false'] });
      await ui.evaluate((pw) => console.log('debug: password is', pw), user.password);
      await ui.close();
      const leaks = await assertOnlyLeak(b.close(), /^console \(.*\) printed password "password of @/);
      // Chromium reports the popup's console as such; in Firefox, BiDi gives no console events for
      // moz-extension pages, so the line is caught on the browser's stdout (devtools.console.stdout).
      const where = name === 'chromium' ? `console (${b.extensionOrigin}/popup.html)` : 'console (firefox stdout)';
      assert.ok(leaks.some((l) => l.startsWith(where)), leaks.join('\n'));
    });

    test('a recovery key printed by the background (worker / event page) is reported', async () => {
      const { fixture } = await createSecretStorageKey();
      const b = await launchBrowser(name);
      await b.evalExtension(async (k) => {
        // Chromium runs this in the worker itself; Firefox in an extension page, from which the
        // event page's own console is reachable.
        const bg: { console: Console } = typeof window === 'undefined' ? globalThis : ((await browser.runtime.getBackgroundPage()) as unknown as { console: Console });
        bg.console.warn('key', k);
      }, fixture.recoveryKey);
      const leaks = await assertOnlyLeak(b.close(), /^console \(.*\) printed recovery-key "recovery key of /);
      const where = name === 'chromium' ? `console (${b.extensionOrigin}/background.js)` : 'console (firefox stdout)';
      assert.ok(leaks.some((l) => l.startsWith(where)), leaks.join('\n'));
    });
  });
}
