// UIA stages our Synapse cannot offer, end to end in both browsers: a reset whose key upload asks
// for a FALLBACK stage (spec §Fallback; completed by the page's authDone signal, or by the popup's
// Done button), and for the MAS APPROVAL stage (m.oauth / org.matrix.cross_signing_reset,
// docs/protocol.md#uia-oauth; approved, or cancelled while polling).
//
// The homeserver here is a SCRIPTED HOMESERVER STAND-IN (e2e/harness/scripted-homeserver.ts,
// stand-in-account.ts, stand-in-uia.ts), not Synapse: it reproduces Synapse's documented
// responses, with account data seeded from a real Synapse account. It records every request, so
// each test asserts the key upload was resent with the FULL original body, byte for byte, plus
// only `auth` (docs/protocol.md#synapse-upload-uia point 2).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS } from './harness/browsers.ts';
import { useBrowserWithStandIn } from './harness/browser-suite.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { nodeFlowManager, SESSION, untilFlow } from './harness/node-flows.ts';
import type { RecordedRequest, ScriptedHomeserver } from './harness/scripted-homeserver.ts';
import { standInWith, uploadedKeys, type StandInAccount } from './harness/stand-in-account.ts';
import { continuationOf, fallbackUia, masApprovalUia, openerReports, UPLOAD_PATH } from './harness/stand-in-uia.ts';
import { assertStorageClean, connectManually, openRepair } from './harness/status-ui.ts';
import { testSynapse } from './harness/test-synapse.ts';
import { waitUntil, type UiPage } from './harness/ui-page.ts';

/** Connect the popup to the stand-in, preview a reset and run it. */
async function runReset(b: ExtensionBrowser, hs: ScriptedHomeserver, account: StandInAccount): Promise<UiPage> {
  const ui = await connectManually(b, hs, account.accessToken, { confirmHost: true });
  await openRepair(ui, 'reset-cross-signing');
  await ui.fill('repair-recovery-key', account.fixture.secretStorage!.recoveryKey);
  await ui.click('repair-preview-button');
  await ui.waitFor('repair-run', { timeoutMs: 30_000 });
  await ui.click('repair-run');
  return ui;
}

/**
 * Every upload after the first is the first one's body, byte for byte, with `auth` appended;
 * the first carried no `auth`. Returns the first body.
 */
function assertResentUnchanged(uploads: RecordedRequest[], auth: unknown): string {
  assert.ok(uploads.length >= 2, `expected a challenge and a continuation, got ${uploads.length} uploads`);
  const first = uploads[0]!.rawBody;
  assert.equal((uploads[0]!.json as Record<string, unknown>)['auth'], undefined, 'the first upload carries no auth');
  assert.ok(uploadedKeys(uploads[0]!.json).master_key && uploadedKeys(uploads[0]!.json).self_signing_key && uploadedKeys(uploads[0]!.json).user_signing_key,
    'all three keys in one request');
  for (const [i, u] of uploads.slice(1).entries()) assert.equal(u.rawBody, continuationOf(first, auth), `upload ${i + 2} differs from the first plus auth`);
  return first;
}

const publishedMaster = (a: StandInAccount) => uploadedKeys({ master_key: a.keysQuery.master_keys?.[a.userId] }).master_key;

/**
 * Press a button in the page the extension's auth window opened. The page must be open in a
 * window of its own. Chromium: a real click through Playwright. Firefox: puppeteer over BiDi does
 * not see windows opened by window.open from an extension page, so the stand-in page presses its
 * own button (PRESS_HOOK in scripted-homeserver.ts).
 */
async function pressInOpenedPage(name: string, b: ExtensionBrowser, hs: ScriptedHomeserver, prefix: string, testId: string): Promise<void> {
  await waitUntil(`a window showing ${prefix}`, () => b.evalExtension(async (p) =>
    (await browser.windows.getAll({ populate: true })).some((w) => w.tabs?.some((t) => t.url?.startsWith(p))), prefix));
  if (name === 'chromium') await (await b.findPage(prefix)).click(testId);
  else hs.press(testId);
}

const windowCount = (b: ExtensionBrowser) => b.evalExtension(async () => (await browser.windows.getAll()).length, null);

for (const name of BROWSERS) {
  describe(`UIA fallback and approval stages against the homeserver stand-in (${name})`, () => {
    let b: ExtensionBrowser;
    let fresh: () => Promise<{ hs: ScriptedHomeserver; account: StandInAccount }>;
    useBrowserWithStandIn(name, (env) => ({ b, fresh } = env));

    // Chromium: the page's authDone (window.opener.postMessage) finishes the step at once.
    // Firefox 153: a page that an extension page window.open()s gets NO window.opener (observed:
    // the stand-in's success page reports none), so the signal cannot arrive; the background's
    // session polling (docs/protocol.md#uia-fallback-polling) finishes the step instead. The test
    // asserts which of the two happened, so a change in either browser shows up here.
    test('fallback stage (m.login.terms) completed in the page: by authDone (Chromium) or by polling (Firefox)', async () => {
      const started = Date.now();
      const { hs, account } = await fresh();
      const script = fallbackUia(hs, account);
      const windowsBefore = await windowCount(b);
      const ui = await runReset(b, hs, account);
      await ui.waitFor('repair-approval', { attr: ['data-kind', 'fallback'], timeoutMs: 30_000 });
      // The extension's auth window opened the fallback page with itself as opener; complete it there.
      await pressInOpenedPage(name, b, hs, `${hs.baseUrl}/_matrix/client/v3/auth/m.login.terms/fallback/web?session=`, 'fallback-complete');
      // No Done press.
      await ui.waitFor('repair-result', { timeoutMs: 30_000 });
      assert.equal(await ui.attr('repair-result', 'data-outcome'), 'success', await ui.text('repair-result'));

      const [session] = [...script.sessions.keys()];
      assert.equal(script.sessions.size, 1);
      assert.equal(script.accepted.length, 1);
      const uploads = hs.requestsTo('POST', UPLOAD_PATH);
      const first = assertResentUnchanged(uploads, { session });
      assert.equal(script.accepted[0]!.rawBody, continuationOf(first, { session }));
      const afterCompletion = script.accepted[0]!.at - script.completedAt.get(session!)!;
      if (name === 'chromium') {
        assert.deepEqual(openerReports(hs), [true], 'the page had the auth window as its opener');
        // authDone, not the 5 s poll: the very next upload, right after the page was completed.
        assert.equal(uploads.length, 2, 'no poll before the page signalled');
        assert.ok(afterCompletion < 2_500, `accepted ${afterCompletion} ms after the page was completed`);
      } else {
        assert.deepEqual(openerReports(hs), [false], 'Firefox gave the page an opener: authDone can be tested here now');
        assert.ok(uploads.length >= 2);
      }
      assert.equal(publishedMaster(account), uploadedKeys(JSON.parse(first)).master_key, 'the stand-in published the new master');
      // The auth window and the page it opened are gone.
      await waitUntil('the auth windows to close', async () => (await windowCount(b)) === windowsBefore, 10_000);
      await assertStorageClean(b, account.fixture);
      await ui.close();
      console.log(`[${name}] fallback by authDone: ${Date.now() - started} ms`);
    });

    test('fallback stage completed elsewhere, then the popup’s Done button', async () => {
      const started = Date.now();
      const { hs, account } = await fresh();
      const script = fallbackUia(hs, account, { stage: 'm.login.sso' });
      const windowsBefore = await windowCount(b);
      const ui = await runReset(b, hs, account);
      await ui.waitFor('repair-approval', { attr: ['data-kind', 'fallback'], timeoutMs: 30_000 });
      assert.match(await ui.text('repair-approval'), /\/auth\/m\.login\.sso\/fallback\/web\?session=/);
      // Another extension page (the popup) cannot claim the page signalled authDone: only the
      // flow's own auth window may, and the flow stays where it was.
      const flowId = (await ui.attr('repair-panel', 'data-flow-id'))!;
      const forged = await ui.evaluate((id) => browser.runtime.sendMessage({ type: 'repairAuthDone', req: { flowId: id } }), flowId) as { ok: boolean; error?: { code?: string } };
      assert.equal(forged.ok, false);
      assert.equal(forged.error?.code, 'forbidden-sender');
      const extraKey = await ui.evaluate((id) => browser.runtime.sendMessage({ type: 'repairAuthDone', req: { flowId: id, done: true } }), flowId) as { ok: boolean; error?: { name?: string } };
      assert.equal(extraKey.error?.name, 'InvalidMessageError');
      assert.equal(await ui.attr('repair-panel', 'data-phase'), 'prompt');
      assert.equal(hs.requestsTo('POST', UPLOAD_PATH).length, 1);
      // As if the user finished the page in a tab with no opener: no authDone reaches us.
      const [session] = [...script.sessions.keys()];
      script.complete(session!);
      await ui.click('repair-fallback-done');
      await ui.waitFor('repair-result', { timeoutMs: 30_000 });
      assert.equal(await ui.attr('repair-result', 'data-outcome'), 'success', await ui.text('repair-result'));
      assert.equal(script.accepted.length, 1);
      // Done, not the 5 s session poll: nothing was sent between the challenge and the Done press.
      assert.equal(hs.requestsTo('POST', UPLOAD_PATH).length, 2);
      assertResentUnchanged(hs.requestsTo('POST', UPLOAD_PATH), { session });
      await waitUntil('the auth windows to close', async () => (await windowCount(b)) === windowsBefore, 10_000);
      await ui.close();
      console.log(`[${name}] fallback by Done: ${Date.now() - started} ms`);
    });

    test('m.oauth approval: the popup shows the polling, the user approves, the same body goes through once', async () => {
      const started = Date.now();
      const { hs, account } = await fresh();
      const script = masApprovalUia(hs, account);
      const windowsBefore = await windowCount(b);
      const ui = await runReset(b, hs, account);
      await ui.waitFor('repair-approval', { attr: ['data-kind', 'approval'], timeoutMs: 30_000 });
      assert.match(await ui.text('repair-approval'), /account\/\?action=org\.matrix\.cross_signing_reset/);
      // Polling is visible: the count goes up while nothing is approved.
      await ui.waitFor('repair-approval-status', { attr: ['data-polls', '2'], timeoutMs: 15_000 });
      assert.match(await ui.text('repair-approval-status'), /Checked with the homeserver 2 times; giving up after 10 min/);
      assert.equal(script.replacements.length, 0);
      // The approval page (on its own origin, like MAS) was opened by the extension's auth window.
      await pressInOpenedPage(name, b, hs, script.url, 'approval-approve');
      await ui.waitFor('repair-result', { timeoutMs: 30_000 });
      assert.equal(await ui.attr('repair-result', 'data-outcome'), 'success', await ui.text('repair-result'));

      assert.equal(script.approvals, 1);
      assert.deepEqual(openerReports(hs), [name === 'chromium'], 'opener: Chromium gives one, Firefox none');
      assert.equal(script.replacements.length, 1, 'exactly one replacement for one approval');
      assert.ok(script.challenges >= 3, `polled while waiting (${script.challenges} challenges)`);
      const uploads = hs.requestsTo('POST', UPLOAD_PATH);
      const first = assertResentUnchanged(uploads, { session: 'dummy' });
      assert.equal(script.replacements[0]!.rawBody, continuationOf(first, { session: 'dummy' }));
      assert.equal(uploads.at(-1), script.replacements[0], 'nothing was uploaded after the accepted one');
      // The approval was used up: another replacement needs another approval.
      const other = JSON.parse(first) as { master_key: { keys: Record<string, string> } };
      other.master_key.keys = { 'ed25519:AAAA': 'AAAA' };
      const again = await fetch(`${hs.baseUrl}${UPLOAD_PATH}`, { method: 'POST', headers: { Authorization: `Bearer ${account.accessToken}` }, body: JSON.stringify(other) });
      assert.equal(again.status, 401);
      await waitUntil('the auth windows to close', async () => (await windowCount(b)) === windowsBefore, 10_000);
      await ui.close();
      console.log(`[${name}] m.oauth approval: ${Date.now() - started} ms`);
    });

    test('m.oauth approval: cancel while waiting stops the polling and sends nothing more', async () => {
      const started = Date.now();
      const { hs, account } = await fresh();
      const script = masApprovalUia(hs, account);
      const windowsBefore = await windowCount(b);
      const oldMaster = publishedMaster(account);
      const ui = await runReset(b, hs, account);
      await ui.waitFor('repair-approval-status', { attr: ['data-polls', '1'], timeoutMs: 30_000 });
      await ui.click('repair-cancel');
      await ui.waitFor('repair-result', { attr: ['data-outcome', 'cancelled'], timeoutMs: 15_000 });
      assert.match(await ui.text('repair-result'), /cancel/i);
      const uploadsAtCancel = hs.requestsTo('POST', UPLOAD_PATH).length;
      // An approval that comes too late changes nothing: the flow no longer polls.
      script.approve();
      await new Promise((r) => setTimeout(r, 4_500)); // more than two poll intervals
      assert.equal(hs.requestsTo('POST', UPLOAD_PATH).length, uploadsAtCancel, 'no upload after the cancel');
      assert.equal(script.replacements.length, 0);
      assertResentUnchanged(hs.requestsTo('POST', UPLOAD_PATH), { session: 'dummy' });
      assert.equal(publishedMaster(account), oldMaster);
      await waitUntil('the auth windows to close', async () => (await windowCount(b)) === windowsBefore, 10_000);
      await ui.close();
      console.log(`[${name}] m.oauth cancel: ${Date.now() - started} ms`);
    });
  });
}

// The flow manager alone (Node, no browser): which window may report authDone, and that the
// window is closed once the prompt is over.
describe('repair flow manager: the auth window of a fallback prompt (Node, stand-in)', () => {
  test('authDone counts only from the flow’s own window; the window is closed afterwards', async () => {
    const { hs, account } = await standInWith(await testSynapse(), 'healthy');
    try {
      const script = fallbackUia(hs, account);
      const opened: { flowId: string; url: string; windowId: number; closed: boolean }[] = [];
      const { flows } = nodeFlowManager(account, {
        baseUrl: hs.baseUrl,
        openAuthWindow: async (flowId, _sessionId, url) => {
          const w = { flowId, url, windowId: 40 + opened.length, closed: false };
          opened.push(w);
          return { windowId: w.windowId, close: async () => { w.closed = true; } };
        },
      });
      const preview = await flows.preview({ sessionId: SESSION, kind: 'reset-cross-signing', recoveryKey: account.fixture.secretStorage!.recoveryKey });
      flows.start(preview.flowId);
      await untilFlow(flows, 'the fallback prompt and its window', (v) => v.prompt?.kind === 'fallback' && opened.length === 1);
      const [session] = [...script.sessions.keys()];
      assert.equal(opened[0]!.url, `${hs.baseUrl}/_matrix/client/v3/auth/m.login.terms/fallback/web?session=${session}`);
      script.complete(session!);
      for (const windowId of [undefined, 41]) {
        assert.throws(() => flows.authDone(preview.flowId, windowId), (e: Error & { code?: string }) => e.code === 'forbidden-sender');
      }
      assert.equal(hs.requestsTo('POST', UPLOAD_PATH).length, 1, 'a refused authDone sends nothing');
      flows.authDone(preview.flowId, 40);
      const done = await untilFlow(flows, 'the flow to finish', (v) => v.phase === 'done' || v.phase === 'failed');
      assert.equal(done.phase, 'done', JSON.stringify(done.result));
      assert.equal(opened[0]!.closed, true, 'the auth window is closed once the prompt is over');
      assert.throws(() => flows.authDone(preview.flowId, 40), /not waiting|only this repair/i);
    } finally {
      await hs.close();
    }
  });
});

describe('repair flow manager: the auth window of an approval prompt (Node, stand-in)', () => {
  test('the page’s authDone is shown, but only the homeserver’s answer ends the wait; cancel closes the window', async () => {
    const { hs, account } = await standInWith(await testSynapse(), 'healthy');
    try {
      const script = masApprovalUia(hs, account);
      let closed = 0;
      const { flows } = nodeFlowManager(account, {
        baseUrl: hs.baseUrl,
        openAuthWindow: async () => ({ windowId: 7, close: async () => { closed += 1; } }),
      });
      const preview = await flows.preview({ sessionId: SESSION, kind: 'reset-cross-signing', recoveryKey: account.fixture.secretStorage!.recoveryKey });
      flows.start(preview.flowId);
      await untilFlow(flows, 'the approval prompt', (v) => v.prompt?.kind === 'approval' && v.prompt.polls !== undefined);
      const view = flows.authDone(preview.flowId, 7);
      assert.equal(view.prompt?.kind === 'approval' && view.prompt.approvedInPage, true);
      assert.equal(view.phase, 'prompt', 'the page’s word alone does not finish the step');
      await new Promise((r) => setTimeout(r, 2_500)); // a poll, still refused: not approved on the server
      assert.equal((await flows.state(SESSION))?.phase, 'prompt');
      assert.equal(script.replacements.length, 0);
      flows.cancel(preview.flowId);
      const end = await untilFlow(flows, 'the cancel', (v) => v.phase === 'cancelled');
      assert.equal(end.prompt, undefined);
      assert.equal(closed, 1, 'the window is closed when the prompt ends');
    } finally {
      await hs.close();
    }
  });
});
