// The popup's layout on a large account, in both browsers against Synapse (issue 17): long
// sections collapse with their counts, the verdict stays in view while the rest scrolls, devices
// are filtered by name, ID or state, the sign form picks all / none / only unsigned, checkboxes
// sit beside their device, long request paths wrap instead of widening the popup, raw JSON opens
// in a pane of its own, and a healthy account keeps the repairs that replace keys behind
// "Advanced". Geometry is read once the DOM is settled; nothing here is timed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS } from './harness/browsers.ts';
import { useBrowser } from './harness/browser-suite.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { buildAccount } from './harness/identity.ts';
import { connectManually, openRepair } from './harness/status-ui.ts';
import type { SynapseInfo } from './harness/test-synapse.ts';
import { waitUntil, type UiPage } from './harness/ui-page.ts';

/** More devices than a section shows open (COLLAPSE_OVER in src/popup/components/collapsible-section.tsx). */
const DEVICES = 22;

const countShown = (ui: UiPage, testId: string) =>
  ui.evaluate((t) => [...document.querySelectorAll(`[data-testid="${t}"]`)].filter((e) => (e as HTMLElement).checkVisibility()).length, testId);

/** Type into a search box the way a person does (an input event), so the component's handler runs. */
const typeFilter = (ui: UiPage, testId: string, text: string) => ui.evaluate(([t, v]) => {
  const input = document.querySelector(`[data-testid="${t}"]`) as HTMLInputElement;
  input.value = v;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}, [testId, text] as const);

/** The page is no wider than the body: nothing overflows it sideways (Chromium would widen the popup). */
const overflowsSideways = (ui: UiPage) => ui.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth
  || document.body.scrollWidth > document.body.clientWidth, null);

for (const name of BROWSERS) {
  describe(`popup layout on a large account (${name})`, () => {
    let hs: SynapseInfo;
    let b: ExtensionBrowser;
    useBrowser(name, (env) => ({ hs, b } = env));

    test(`${DEVICES} devices: collapsed with counts, sticky verdict, filter, pick all / none / only unsigned, wrapped paths`, async () => {
      const a = await buildAccount(hs, 'devices-not-cross-signed', { devices: DEVICES });
      const ui = await connectManually(b, hs, a.user.accessToken);

      // The devices section starts collapsed, its heading saying how many there are.
      assert.equal(await ui.attr('devices-section', 'aria-label'), 'Devices');
      const heading = await ui.evaluate(() => document.querySelector('[data-testid="devices-section"] summary')!.textContent, null);
      assert.match(heading ?? '', new RegExp(`Devices \\(1 of ${DEVICES} cross-signed\\)`));
      assert.equal(await ui.evaluate(() => (document.querySelector('[data-testid="devices-section"] details') as HTMLDetailsElement).open, null), false);
      assert.equal(await countShown(ui, 'device-row'), 0);
      await ui.evaluate(() => (document.querySelector('[data-testid="devices-section"] summary') as HTMLElement).click(), null);
      assert.equal(await countShown(ui, 'device-row'), DEVICES);

      // Filter by ID, by name, by state (in the words the table shows).
      const other = a.devices[3]!.deviceId;
      await typeFilter(ui, 'device-filter', other.toLowerCase());
      await waitUntil('the filter by ID', async () => (await ui.count('device-row')) === 1);
      assert.equal(await ui.attr('device-row', 'data-device-id'), other);
      await typeFilter(ui, 'device-filter', 'not cross-signed');
      await waitUntil('the filter by state', async () => (await ui.count('device-row')) === DEVICES - 1);
      await typeFilter(ui, 'device-filter', 'device 12');
      await waitUntil('the filter by name', async () => (await ui.count('device-row')) === 1);
      await typeFilter(ui, 'device-filter', 'no-such-device');
      await ui.waitFor('device-filter-empty');
      await typeFilter(ui, 'device-filter', '');

      // Scrolled to the bottom, the verdict is still in view.
      const verdictInView = await ui.evaluate(() => {
        window.scrollTo(0, document.documentElement.scrollHeight);
        const r = document.querySelector('[data-testid="status-verdict"]')!.getBoundingClientRect();
        return { scrolled: window.scrollY > 0, top: r.top, bottom: r.bottom, height: window.innerHeight };
      }, null);
      assert.ok(verdictInView.scrolled, 'the page is long enough to scroll');
      assert.ok(verdictInView.top >= 0 && verdictInView.bottom <= verdictInView.height, `verdict at ${verdictInView.top}–${verdictInView.bottom} of ${verdictInView.height}`);

      // The sign form: every device beside its checkbox, chosen in bulk.
      await openRepair(ui, 'sign-devices');
      assert.equal(await ui.count('repair-device'), DEVICES);
      const misplaced = await ui.evaluate(() => [...document.querySelectorAll<HTMLInputElement>('[data-testid="repair-device"]')].filter((box) => {
        const id = box.nextElementSibling!.getBoundingClientRect();
        const r = box.getBoundingClientRect();
        // Beside: on the same line (vertical overlap), to its right, and not stretched across the form.
        return !(r.right <= id.left && r.bottom > id.top && r.top < id.bottom && r.width < 40);
      }).map((box) => box.dataset['deviceId']), null);
      assert.deepEqual(misplaced, []);
      assert.equal(await ui.attr('repair-devices-count', 'data-count'), String(DEVICES - 1), 'the unsigned devices are chosen at first');
      await ui.click('repair-devices-none');
      await ui.waitFor('repair-devices-count', { attr: ['data-count', '0'] });
      await typeFilter(ui, 'repair-device-filter', other);
      await waitUntil('the form filter', async () => (await ui.count('repair-device')) === 1);
      await ui.click('repair-devices-all');
      await ui.waitFor('repair-devices-count', { attr: ['data-count', '1'] });
      await typeFilter(ui, 'repair-device-filter', '');
      await ui.click('repair-devices-all');
      await ui.waitFor('repair-devices-count', { attr: ['data-count', String(DEVICES)] });
      await ui.click('repair-devices-unsigned');
      await ui.waitFor('repair-devices-count', { attr: ['data-count', String(DEVICES - 1)] });
      // The form's state words are the table's.
      const words = await ui.evaluate(() => [...new Set([...document.querySelectorAll('[data-testid="repair-device-state"]')].map((e) => e.textContent))].sort(), null);
      assert.deepEqual(words, ['cross-signed', 'not cross-signed']);

      // A reset's preview: long account-data paths wrap; the Run bar stays at the bottom.
      await openRepair(ui, 'reset-cross-signing');
      await ui.fill('repair-recovery-key', a.secretStorage!.recoveryKey);
      await ui.click('repair-preview-button');
      await ui.waitFor('repair-preview', { timeoutMs: 30_000 });
      assert.ok(await ui.evaluate(() => [...document.querySelectorAll('[data-testid="repair-step"]')].some((e) => (e.getAttribute('data-path') ?? '').includes('/account_data/')), null));
      assert.equal(await overflowsSideways(ui), false, 'the preview overflows sideways');
      assert.equal(await ui.evaluate(() => getComputedStyle(document.querySelector('[data-testid="repair-run"]')!.parentElement!).position, null), 'sticky');
      await ui.click('repair-cancel');
      await ui.waitFor('repair-result', { attr: ['data-outcome', 'cancelled'] });
      await ui.close();
    });

    test('healthy: raw JSON in its own pane, repairs that replace keys behind Advanced with what each destroys', async () => {
      const a = await buildAccount(hs, 'healthy', { devices: 1 });
      const ui = await connectManually(b, hs, a.user.accessToken);
      await ui.waitFor('status-verdict', { attr: ['data-healthy', 'true'] });

      assert.equal(await ui.count('repair-advanced'), 1);
      const inline = await ui.evaluate(() => [...document.querySelectorAll('.toolbar [data-testid="repair-open"]')].map((e) => e.getAttribute('data-repair')), null);
      for (const kind of ['reset-cross-signing', 'regenerate-subkeys', 'manual-upload']) {
        assert.ok(!inline.includes(kind), `${kind} is not in the toolbar`);
        assert.equal(await ui.evaluate((k) => document.querySelector(`[data-testid="repair-advanced"] [data-testid="repair-open"][data-repair="${k}"]`) !== null, kind), true);
      }
      assert.equal(await ui.count('repair-destroys'), 3);
      assert.equal(await ui.count('note-master-unsigned'), 0, 'the session device signed the master key');

      // keys/query in a pane: monospace, copyable, the exact JSON; Escape closes it.
      await ui.click('raw-keys-query');
      await ui.waitFor('raw-pane', { attr: ['open', ''] });
      const raw = JSON.parse(await ui.text('raw-keys-query-json')) as { master_keys: Record<string, unknown> };
      assert.ok(raw.master_keys[a.user.userId]);
      assert.match(await ui.evaluate(() => getComputedStyle(document.querySelector('[data-testid="raw-keys-query-json"]')!).fontFamily, null), /mono/i);
      assert.equal(await ui.evaluate(() => (document.querySelector('[data-testid="raw-pane"]') as HTMLDialogElement).open, null), true);
      assert.equal(await ui.evaluate(() => document.querySelector('[data-testid="raw-pane"] button.copy') !== null, null), true);
      await ui.press('Escape');
      await waitUntil('the pane to close', async () => (await ui.count('raw-pane')) === 0);
      assert.equal(await ui.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null, null), 'raw-keys-query');
      await ui.close();
    });
  });
}
