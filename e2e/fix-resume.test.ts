// The composed fix resumed after the background stopped, in both browsers, through the fault
// proxy (docs/design.md#repair-resume, docs/design.md#composed-fix): a fix is one plan like any other.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS } from './harness/browsers.ts';
import { useBrowserWithFaultProxy } from './harness/browser-suite.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import type { FaultProxy, FaultRule } from './harness/fault-proxy.ts';
import { flowView, within } from './harness/flow-view.ts';
import { buildAccount } from './harness/identity.ts';
import { publishedKeys, stepApplied } from './harness/server-keys.ts';
import { connectManually, givePassword, openRepair } from './harness/status-ui.ts';
import type { SynapseInfo } from './harness/test-synapse.ts';

// The composed fix is one plan like any other (docs/design.md#composed-fix): stopped while its
// sessions' signatures hang (after its one upload), it continues the same plan without asking
// for the password again, and the account ends healthy.
for (const name of BROWSERS) {
  describe(`background restarted during a composed fix (${name})`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    let proxy: FaultProxy;
    useBrowserWithFaultProxy(name, (env) => ({ hs, b, proxy } = env));

    test('stopped while the fix signs the sessions: the same plan continues, no second password, healthy', { timeout: 120_000 }, async () => {
      const account = await buildAccount(hs, 'secrets-missing', { devices: 2 });
      proxy.clear();
      const ui = await connectManually(b, { ...hs, baseUrl: proxy.url }, account.user.accessToken, { confirmHost: true });
      try {
        await openRepair(ui, 'fix');
        await ui.fill('repair-recovery-key', account.secretStorage!.recoveryKey);
        await ui.click('repair-preview-button');
        await ui.waitFor('fix-plan', { timeoutMs: 30_000 });
        const planned = await flowView(ui);
        assert.equal(planned.kind, 'fix');
        const step = planned.steps.find((s) => s.id.endsWith('/sign-devices'))!;
        assert.ok(step !== undefined, planned.steps.map((s) => s.id).join(', '));
        const rule: FaultRule = { method: step.method, path: step.path, nth: 1, fault: 'hang' };
        proxy.add(rule);
        const held = proxy.hit(rule);
        await ui.click('repair-run');
        await givePassword(ui, account.user.password);
        await within(held, 30_000, 'the sessions\' signatures to reach the proxy');
        await within(b.stopBackground(), 15_000, 'stopping the background');
        proxy.clear();
        await ui.waitFor('repair-resumed', { timeoutMs: 30_000 });
        await ui.waitFor('repair-result', { timeoutMs: 60_000 });
        const view = await flowView(ui);
        assert.equal(view.phase, 'done', JSON.stringify(view.result));
        assert.equal(view.planId, planned.planId, 'the same plan');
        assert.equal(await ui.count('repair-password-form'), 0, 'the password is not asked again: the upload was done');
        await ui.waitFor('status-verdict', { attr: ['data-healthy', 'true'], timeoutMs: 30_000 });
        const published = await publishedKeys(account.user);
        assert.deepEqual({ master: published.master, selfSigning: published.selfSigning, userSigning: published.userSigning }, planned.publicKeys);
        assert.deepEqual(await Promise.all(planned.steps.map((s) => stepApplied(account.user, s))), planned.steps.map(() => true), 'every step is on the server');
      } finally {
        await within(ui.close(), 10_000, 'closing the popup').catch(() => {});
      }
    });
  });
}
