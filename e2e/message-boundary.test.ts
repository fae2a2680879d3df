// The extension's message boundary, in both browsers, against the real Synapse: only the
// extension's own pages may message the background. A normal web page cannot reach it at all (no
// externally_connectable), a content script in a web page (what a hostile page could piggyback on)
// gets ForbiddenSenderError for every message and never the token, and even an extension page has
// malformed payloads and unknown message types rejected with InvalidMessageError.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, launchBrowser } from './harness/browsers.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { waitUntil, type UiPage } from './harness/ui-page.ts';
import { registerUser, type TestUser } from './harness/users.ts';
import { serveWebApp, type WebAppPage } from './harness/web-app-pages.ts';

type Reply = { ok: boolean; value?: unknown; error?: { name: string; message: string } };

for (const name of BROWSERS) {
  describe(`message boundary (${name})`, () => {
    let hs: SynapseInfo;
    let user: TestUser;
    let b: ExtensionBrowser;
    let ui: UiPage;
    let sessionId: string;
    let app: WebAppPage;
    let tab: { tabId: number; page: UiPage };

    /** Send one message from the extension page (the popup), as the UI itself does. */
    const fromExtensionPage = (message: unknown): Promise<Reply> =>
      ui.evaluate(async (m) => (await browser.runtime.sendMessage(m)) as Reply, message);

    before(async () => {
      hs = await testSynapse();
      user = await registerUser(hs);
      b = await launchBrowser(name);
      ui = await b.openUi();
      await ui.waitFor('app', { attr: ['data-loading', 'false'] });
      // Connect a real session the way the manual form does.
      const connected = await fromExtensionPage({ type: 'connectManual', req: { homeserver: hs.baseUrl, accessToken: user.accessToken } });
      assert.equal(connected.ok, true, JSON.stringify(connected.error));
      sessionId = (connected.value as { sessionId: string }).sessionId;
      assert.equal(typeof sessionId, 'string');
      assert.ok(!JSON.stringify(connected).includes(user.accessToken), 'connectManual must not echo the token');

      // A plain web page on a host the test build may script (http://localhost/*).
      app = await serveWebApp({ localStorage: { unrelated: 'value' } });
      tab = await b.openTab(app.url);
      const title = await waitUntil('the web page', async () => {
        const t = await tab.page.evaluate(() => document.title, null);
        return t !== 'loading' && t;
      });
      assert.equal(title, 'ready');
    });
    after(async () => {
      await ui?.close();
      await b?.close();
      await app?.close();
    });

    test('control: the extension page itself may copy the token (so the refusals below are about the sender)', async () => {
      const reply = await fromExtensionPage({ type: 'copyToken', req: { sessionId } });
      assert.equal(reply.ok, true, JSON.stringify(reply.error));
      assert.equal((reply.value as { accessToken: string }).accessToken, user.accessToken);
    });

    test('a normal web page cannot message the extension at all', async (t) => {
      const extensionId = name === 'chromium' ? new URL(b.extensionOrigin).host : 'xsign-doctor@xsign-doctor.dev';
      const seen = await tab.page.evaluate(async ({ id, sid }) => {
        const g = globalThis as unknown as { chrome?: { runtime?: { sendMessage?: unknown } }; browser?: { runtime?: { sendMessage?: unknown } } };
        const out: { chromeRuntime: string; browserRuntime: string; attempts: string[] } = {
          chromeRuntime: typeof g.chrome?.runtime,
          browserRuntime: typeof g.browser?.runtime,
          attempts: [],
        };
        for (const api of [g.chrome?.runtime, g.browser?.runtime]) {
          const send = api?.sendMessage;
          if (typeof send !== 'function') continue;
          for (const m of [{ type: 'copyToken', req: { sessionId: sid } }, { type: 'readStatus', req: { sessionId: sid } }]) {
            try {
              const reply = await Promise.race([
                (send as (...a: unknown[]) => Promise<unknown>).call(api, id, m),
                new Promise((resolve) => setTimeout(() => resolve('timeout'), 3000)),
              ]);
              out.attempts.push(`reply: ${JSON.stringify(reply)}`);
            } catch (e) {
              out.attempts.push(`threw: ${String(e)}`);
            }
          }
        }
        return out;
      }, { id: extensionId, sid: sessionId });
      const text = JSON.stringify(seen);
      t.diagnostic(`what the page sees: ${text}`);
      assert.ok(!text.includes(user.accessToken), `the web page got the token: ${text}`);
      // Either there is no runtime API in the page at all, or every attempt failed without a reply.
      if (seen.chromeRuntime === 'object' || seen.browserRuntime === 'object') {
        for (const a of seen.attempts) assert.match(a, /^threw: |^reply: (undefined|"timeout")$/, a);
      } else {
        assert.deepEqual(seen, { chromeRuntime: 'undefined', browserRuntime: 'undefined', attempts: [] });
      }
    });

    test('a content script in a web page gets ForbiddenSenderError for every message, never the token', async () => {
      const results = await b.evalExtension(async ({ tabId, sid }) => {
        const injected = await browser.scripting.executeScript({
          target: { tabId },
          // Runs in the page's content-script world, the way anything injected into a page would.
          // (Taken out of an array so tsx's keepNames does not wrap it in a __name() call that the
          // serialised function could not resolve in the page.)
          func: [async (s: string) => {
            const g = globalThis as unknown as { browser?: { runtime: { sendMessage(m: unknown): Promise<unknown> } }; chrome?: { runtime: { sendMessage(m: unknown): Promise<unknown> } } };
            const runtime = (g.browser ?? g.chrome)!.runtime;
            const messages = [
              { type: 'copyToken', req: { sessionId: s } },
              { type: 'readStatus', req: { sessionId: s } },
              { type: 'readUsers', req: { sessionId: s } },
              { type: 'getSession', req: {} },
              { type: 'ping', req: {} },
              { type: 'connectManual', req: { homeserver: 'http://localhost:1', accessToken: 'x' } },
              { type: 'copyToken', req: { sessionId: s, extra: true } },
              // A page must never vouch for the homeserver it planted.
              { type: 'confirmHomeserver', req: { sessionId: s, host: 'localhost:1' } },
              { type: 'tabAccess', req: { tabId: 1 } },
            ];
            const out: string[] = [];
            for (const m of messages) {
              try {
                out.push(JSON.stringify(await runtime.sendMessage(m)));
              } catch (e) {
                out.push(`threw: ${String(e)}`);
              }
            }
            return out;
          }][0]!,
          args: [sid],
        });
        return injected.map((r) => r.result as string[]);
      }, { tabId: tab.tabId, sid: sessionId });
      assert.equal(results.length, 1);
      const replies = results[0]!;
      assert.equal(replies.length, 9);
      for (const raw of replies) {
        assert.ok(!raw.includes(user.accessToken), `the content script got the token: ${raw}`);
        const reply = JSON.parse(raw) as Reply;
        assert.equal(reply.ok, false, raw);
        assert.equal(reply.error?.name, 'ForbiddenSenderError', raw);
      }
    });

    test('from an extension page: unknown keys, wrong types and unknown message types are InvalidMessageError', async () => {
      const bad: unknown[] = [
        { type: 'copyToken', req: { sessionId, extra: 1 } },
        { type: 'copyToken', req: { sessionId: 42 } },
        { type: 'copyToken', req: {} },
        { type: 'readStatus', req: { sessionId, recoveryKey: 7 } },
        { type: 'readStatus', req: { sessionId, verbose: true } },
        { type: 'readUsers', req: { sessionId, userIds: ['bob'] } },
        { type: 'readUsers', req: { sessionId, userIds: '@bob:example.org' } },
        { type: 'readUsers', req: { sessionId, userIds: Array.from({ length: 101 }, (_, i) => `@u${i}:example.org`) } },
        { type: 'readUsers', req: { sessionId, all: true } },
        { type: 'getSession', req: { tabId: -1 } },
        { type: 'tabAccess', req: { tabId: '1' } },
        { type: 'tabAccess', req: {} },
        { type: 'connectManual', req: { homeserver: 'javascript:alert(1)', accessToken: user.accessToken } },
        { type: 'confirmHomeserver', req: { sessionId } },
        { type: 'confirmHomeserver', req: { sessionId, host: 'x', confirmed: true } },
        { type: 'confirmHomeserver', req: { sessionId, host: '' } },
        { type: 'copyToken', req: { sessionId }, extra: 1 },
        { type: 'copyToken' },
        { type: 'stealToken', req: { sessionId } },
        { type: '__proto__', req: {} },
        { type: 'toString', req: {} },
        { type: 42, req: {} },
        'copyToken',
        null,
        [{ type: 'copyToken', req: { sessionId } }],
      ];
      for (const message of bad) {
        const reply = await fromExtensionPage(message);
        const text = JSON.stringify(reply);
        assert.equal(reply.ok, false, `${JSON.stringify(message)} → ${text}`);
        assert.equal(reply.error?.name, 'InvalidMessageError', `${JSON.stringify(message)} → ${text}`);
        assert.equal(typeof reply.error?.message, 'string');
        assert.ok(!text.includes(user.accessToken), `the token leaked in a rejection: ${text}`);
      }
      // The unknown type is named as such.
      const unknown = await fromExtensionPage({ type: 'stealToken', req: { sessionId } });
      assert.match(unknown.error!.message, /unknown message type/);
    });
  });
}
