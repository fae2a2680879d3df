// Detaching the extension UI into its own window (popup.html?tabId=N), in both browsers: the
// window is the extension's own popup-type window, and it shows the flow the background runs —
// the same flow, not a copy — because flows live in the background.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS } from './harness/browsers.ts';
import { useBrowser } from './harness/browser-suite.ts';
import { uiUrl, type ExtensionBrowser } from './harness/extension-browser.ts';
import { buildAccount } from './harness/identity.ts';
import { connectManually } from './harness/status-ui.ts';
import type { SynapseInfo } from './harness/test-synapse.ts';
import { waitUntil } from './harness/ui-page.ts';

for (const name of BROWSERS) {
  describe(`detached UI (${name})`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    useBrowser(name, (env) => ({ hs, b } = env));

    test('Detach opens popup.html?tabId=N in a popup window that shows the running flow', async () => {
      const a = await buildAccount(hs, 'devices-not-cross-signed');
      const ui = await connectManually(b, hs, a.user.accessToken);
      await ui.evaluate(() => (document.querySelector('[data-testid="repair-open"][data-repair="sign-devices"]') as HTMLButtonElement).click(), null);
      await ui.fill('repair-recovery-key', a.secretStorage!.recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-preview', { timeoutMs: 30_000 });
      const flowId = await ui.attr('repair-panel', 'data-flow-id');
      const tabId = Number(await ui.attr('app', 'data-tab-id'));
      await ui.click('ui-detach');
      const expected = uiUrl(b.extensionOrigin, tabId);
      const win = await waitUntil('the detached window', () => b.evalExtension(async (url) => {
        const wins = await browser.windows.getAll({ populate: true });
        return wins.find((w) => w.tabs?.some((t) => t.url === url)) ?? undefined;
      }, expected));
      assert.equal(win.type, 'popup');
      // The detached form has no Detach button and shows the same flow, still in preview.
      const detached = await b.openUi(tabId);
      await detached.waitFor('repair-panel', { attr: ['data-flow-id', flowId!], timeoutMs: 30_000 });
      assert.equal(await detached.count('ui-detach'), 0);
      await detached.click('repair-run');
      await ui.waitFor('repair-result', { attr: ['data-outcome', 'success'], timeoutMs: 30_000 });
      await b.evalExtension(async (id) => browser.windows.remove(id), win.id!);
      await detached.close();
      await ui.close();
    });
  });
}
