// The background stopped in the middle of a reset, at every one of its steps, in both browsers:
// the fault proxy holds that step's request, and the worker (Chromium) or event page (Firefox) is
// stopped while it hangs — what the browser does to an idle background. The popup must then show
// the flow failed, where it stopped and what the homeserver holds; the account must be repairable
// by running the reset again; and no master key may be published without the user being told.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RepairFlowView } from '../src/ext/protocol.ts';
import { BROWSERS } from './harness/browsers.ts';
import { useBrowserWithFaultProxy } from './harness/browser-suite.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import type { FaultKind, FaultProxy, FaultRule } from './harness/fault-proxy.ts';
import { buildAccount } from './harness/identity.ts';
import { publishedMaster, recoverableMasters, stepApplied } from './harness/server-keys.ts';
import { connectManually, givePassword, openRepair } from './harness/status-ui.ts';
import type { SynapseInfo } from './harness/test-synapse.ts';
import type { UiPage } from './harness/ui-page.ts';

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

/**
 * The flow the popup shows, as the background reports it (repairState), asked from the popup page;
 * its session is found in the storage.session mirror by the panel's flow ID (earlier tests'
 * sessions are there too).
 */
async function flowView(ui: UiPage): Promise<RepairFlowView> {
  const flowId = await ui.attr('repair-panel', 'data-flow-id');
  return ui.evaluate(async (id) => {
    const mirror = (await browser.storage.session.get('repairFlows'))['repairFlows'] as Record<string, { flowId: string }>;
    const sessionId = Object.keys(mirror).find((k) => mirror[k]!.flowId === id)!;
    const answer = await browser.runtime.sendMessage({ type: 'repairState', req: { sessionId } }) as { ok: boolean; value: RepairFlowView };
    return answer.value;
  }, flowId);
}

/** `promise`, or a failure naming `what` after `ms` (a hung test says where it hung). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

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

          // The popup wakes the background, which finds the flow in storage.session.
          await ui.waitFor('repair-result', { attr: ['data-outcome', 'failed'], timeoutMs: 30_000 });
          const view = await flowView(ui);
          assert.equal(view.phase, 'failed');
          assert.match(view.result!.message, /background was restarted/);
          // Where it stopped: the steps done before the held one are ticked, the rest are not.
          const done = await ui.evaluate(() => [...document.querySelectorAll('[data-testid="repair-step"]')].map((e) => e.getAttribute('data-done') === 'true'), null);
          assert.deepEqual(done, planned.steps.map((_, i) => i < index));
          if (view.error?.step !== undefined) assert.equal(view.error.step, step.title);

          // The server: the steps before, plus the held one if Synapse did it; nothing sent since.
          const applied = await Promise.all(planned.steps.map((s) => stepApplied(account.user, s)));
          assert.deepEqual(applied, planned.steps.map((_, i) => i < index || (i === index && c.fault === 'hang-after')));
          assert.ok(!proxy.log.some((e) => e.at > stoppedAt && e.method !== 'GET' && e.path !== '/_matrix/client/v3/keys/query'),
            `no write after the restart: ${proxy.log.filter((e) => e.at > stoppedAt).map((e) => `${e.method} ${e.path}`).join(', ')}`);
          const afterRestart = await publishedMaster(account.user);
          assert.ok((await recoverableMasters(account.user, account.secretStorage!)).has(afterRestart!), 'the published master is recoverable');

          // What the user was told about the new master vs. what the server publishes.
          const serverState = (view as RepairFlowView & { serverState?: string }).serverState;
          const told = serverState ?? view.result!.message;
          const toldPublished = index > uploadIndex // the ticked upload step says so
            || (serverState !== undefined && (serverState.includes(newMaster!) || /new (master )?keys? (is |are )?(now )?published|publishes the new/i.test(serverState)));
          if (afterRestart !== original) {
            assert.equal(afterRestart, newMaster);
            assert.ok(toldPublished, `the new master is published, the popup says: ${told}`);
          } else {
            assert.ok(!toldPublished, `nothing new is published, the popup says: ${told}`);
          }

          // Run the reset again: it completes and the account is healthy.
          proxy.clear();
          await ui.click('repair-close');
          await previewReset(ui, account.secretStorage!.recoveryKey);
          await ui.click('repair-run');
          await givePassword(ui, account.user.password);
          await ui.waitFor('repair-result', { attr: ['data-outcome', 'success'], timeoutMs: 30_000 });
          await ui.waitFor('status-verdict', { attr: ['data-healthy', 'true'], timeoutMs: 30_000 });
          const final = await publishedMaster(account.user);
          assert.ok((await recoverableMasters(account.user, account.secretStorage!)).has(final!), 'the new master is recoverable');
          // Distinct masters the server published = the original, the retry's, and one more only if the user was told.
          const masters = new Set([original, afterRestart, final]);
          assert.equal(masters.size, 2 + (toldPublished ? 1 : 0), `masters published: ${[...masters].join(', ')}`);
          console.log(`[${name}] worker restart at ${c.step} (${c.fault}): ${Date.now() - started} ms`);
        } finally {
          await within(ui.close(), 10_000, 'closing the popup').catch(() => {});
        }
      });
    }
  });
}
