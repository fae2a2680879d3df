// The background stopped in the middle of a reset, at every one of its steps, in both browsers:
// the fault proxy holds that step's request, and the worker (Chromium) or event page (Firefox) is
// stopped while it hangs — what the browser does to an idle background (Chrome: after ~30 s idle,
// e.g. while the person approves the reset elsewhere). The popup then continues the SAME plan
// (docs/design.md#repair-resume): completed steps are not sent again, the held one is checked with
// the homeserver first, the password is asked again only if the upload was not done, and the
// account ends with exactly the keys the preview showed, every published master recoverable.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS } from './harness/browsers.ts';
import { useBrowserWithFaultProxy } from './harness/browser-suite.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import type { FaultKind, FaultProxy, FaultRule } from './harness/fault-proxy.ts';
import { buildAccount } from './harness/identity.ts';
import { publishedKeys, publishedMaster, recoverableMasters, stepApplied } from './harness/server-keys.ts';
import { connectManually, givePassword, openRepair } from './harness/status-ui.ts';
import type { SynapseInfo } from './harness/test-synapse.ts';
import type { UiPage } from './harness/ui-page.ts';
import { flowView, within } from './harness/flow-view.ts';

const UPLOAD = '/_matrix/client/v3/keys/device_signing/upload';
const RESET_STEP_IDS = [
  'keep-previous-store-master', 'store-master', 'keep-previous-store-self-signing', 'store-self-signing',
  'keep-previous-store-user-signing', 'store-user-signing', 'upload-keys', 'sign-devices', 'resign-backup',
];

/** `prompt`: no fault; stopped while the password prompt of the upload is shown. */
interface Case { step: string; fault: FaultKind | 'prompt'; todo?: string }
const CASES: Case[] = [
  ...RESET_STEP_IDS.map((step) => ({ step, fault: 'hang' as const })),
  { step: 'upload-keys', fault: 'prompt' },
  // Synapse published the new keys, the answer never came, then the worker stopped.
  { step: 'upload-keys', fault: 'hang-after' },
];

async function previewReset(ui: UiPage, recoveryKey: string): Promise<void> {
  await openRepair(ui, 'reset-cross-signing');
  await ui.fill('repair-recovery-key', recoveryKey);
  await ui.click('repair-preview-button');
  await ui.waitFor('repair-run', { timeoutMs: 30_000 });
}

for (const name of BROWSERS) {
  describe(`background restarted during a reset (${name})`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    let proxy: FaultProxy;
    useBrowserWithFaultProxy(name, (env) => ({ hs, b, proxy } = env));

    for (const c of CASES) {
      const what = { hang: 'hangs', 'hang-after': 'hangs after Synapse did it', prompt: 'asks for the password' }[c.fault as string];
      test(`stopped while ${c.step} ${what}`, { timeout: 120_000, ...(c.todo === undefined ? {} : { todo: c.todo }) }, async () => {
        const started = Date.now();
        const account = await buildAccount(hs, 'healthy', { devices: 1 });
        const original = await publishedMaster(account.user);
        proxy.clear();
        const ui = await connectManually(b, { ...hs, baseUrl: proxy.url }, account.user.accessToken, { confirmHost: true });
        try {
          await previewReset(ui, account.secretStorage!.recoveryKey);
          const planned = await flowView(ui);
          const index = planned.steps.findIndex((s) => s.id === c.step);
          const uploadIndex = planned.steps.findIndex((s) => s.path === UPLOAD);
          assert.ok(index >= 0 && uploadIndex >= 0, planned.steps.map((s) => s.id).join(', '));
          const step = planned.steps[index]!;
          const newMaster = Object.values((planned.steps[uploadIndex]!.body as { master_key: { keys: Record<string, string> } }).master_key.keys)[0];

          if (c.fault === 'prompt') {
            await ui.click('repair-run');
            await ui.waitFor('repair-password', { timeoutMs: 30_000 });
          } else {
            // Hold the step's request (the upload's 2nd one: the 1st is UIA's preflight).
            const rule: FaultRule = { method: step.method, path: step.path, nth: step.uia ? 2 : 1, fault: c.fault };
            proxy.add(rule);
            const held = proxy.hit(rule);
            await ui.click('repair-run');
            if (index >= uploadIndex) await givePassword(ui, account.user.password);
            await within(held, 30_000, `the ${step.id} request to reach the proxy`);
          }
          await within(b.stopBackground(), 15_000, 'stopping the background');
          const stoppedAt = Date.now();
          proxy.clear(); // the held request stays held; nothing else is faulted

          // The popup wakes the background, which finds the flow and its plan in storage.session
          // and continues it (docs/design.md#repair-resume).
          await ui.waitFor('repair-resumed', { timeoutMs: 30_000 });
          assert.match(await ui.text('repair-resumed'), /continues with the same plan and the same keys/);
          // The password was never stored: asked again if the upload was not done before the stop.
          const uploadDone = index > uploadIndex || (index === uploadIndex && c.fault === 'hang-after');
          if (!uploadDone) await givePassword(ui, account.user.password);
          await ui.waitFor('repair-result', { timeoutMs: 60_000 });
          const view = await flowView(ui);
          assert.equal(view.phase, 'done', JSON.stringify(view.result));
          assert.equal(view.flowId, planned.flowId, 'the same flow');
          assert.equal(view.planId, planned.planId, 'the same plan');
          assert.equal(view.resumed?.count, 1);
          await ui.waitFor('status-verdict', { attr: ['data-healthy', 'true'], timeoutMs: 30_000 });

          // Exactly the keys the preview showed are published, and secret storage holds them.
          const published = await publishedKeys(account.user);
          assert.deepEqual({ master: published.master, selfSigning: published.selfSigning, userSigning: published.userSigning }, planned.publicKeys);
          assert.equal(published.master, newMaster);
          const recoverable = await recoverableMasters(account.user, account.secretStorage!);
          assert.ok(recoverable.has(published.master!), 'the published master is recoverable');
          assert.ok(recoverable.has(original!), 'the replaced master is recoverable (kept aside)');
          assert.deepEqual(await Promise.all(planned.steps.map((s) => stepApplied(account.user, s))), planned.steps.map(() => true), 'every step is on the server');

          // After the restart: no completed step was sent again; the held one at most once more
          // (not at all when Synapse had done it); the later ones once.
          const writes = proxy.log.filter((e) => e.at > stoppedAt && e.method !== 'GET' && e.path !== '/_matrix/client/v3/keys/query');
          const sent = planned.steps.map((s) => writes.filter((e) => e.method === s.method && e.path === s.path).length);
          const expected = planned.steps.map((s, i): number => {
            if (i < index) return 0;
            if (i === index && c.fault === 'hang-after') return 0;
            // An upload is sent twice when it asks for the password (preflight, then with auth).
            return s.uia && !uploadDone ? 2 : 1;
          });
          assert.deepEqual(sent, expected, `writes after the restart: ${writes.map((e) => `${e.method} ${e.path}`).join(', ')}`);
          assert.equal(writes.length, expected.reduce((a, n) => a + n, 0), 'no other write');
          console.log(`[${name}] worker restart at ${c.step} (${c.fault}): ${Date.now() - started} ms`);
        } finally {
          await within(ui.close(), 10_000, 'closing the popup').catch(() => {});
        }
      });
    }
  });
}

