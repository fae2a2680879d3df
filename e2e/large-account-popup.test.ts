// 5 000 devices in the popup (issue 16): the verdict and the first rows come as before; "Show all"
// draws only the rows near the scroll position (VirtualRows), scrolling reaches the last device,
// focusing a control in the last drawn row moves the window on (so Tab walks every row), and a
// filter typed while the window is drawn redraws it with exactly the matching devices.
// No timing is asserted: the bound is on the number of rows in the DOM.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS } from './harness/browsers.ts';
import { useBrowser, type SuiteEnv } from './harness/browser-suite.ts';
import { connectManually } from './harness/status-ui.ts';
import { buildAccount, type FixtureAccount } from './harness/identity.ts';
import type { SynapseInfo } from './harness/test-synapse.ts';
import { waitUntil, type UiPage } from './harness/ui-page.ts';
import { readMessages } from '../src/popup/i18n-testing.ts';

const DEVICES = 5000;
/** Rows a window may draw: what fits in the scroll box plus the overscan on both sides, with room. */
const MAX_DRAWN = 150;

let large: Promise<FixtureAccount> | undefined;
/** One account for both browsers: building 5 000 devices is the slow part. */
const largeAccount = (hs: SynapseInfo) => (large ??= buildAccount(hs, 'healthy', { devices: DEVICES }));

/**
 * A letter for the device filter that matches only through device IDs (never the words of the
 * cross-signed state, in either language) and more devices than a plain table draws.
 */
function filterLetter(deviceIds: readonly string[]): string {
  const words = ['en', 'de'].map((lang) => readMessages(lang).crossSigned_valid!.message).join(' ') + ' valid';
  for (const letter of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
    if (words.toUpperCase().includes(letter)) continue;
    const n = deviceIds.filter((id) => id.includes(letter)).length;
    if (n > 250 && n < deviceIds.length) return letter;
  }
  throw new Error('no letter filters the devices to a virtual table');
}

const windowOf = (ui: UiPage) => ui.evaluate(() => {
  const box = document.querySelector('[data-testid="devices-scroll"]');
  const rows = [...document.querySelectorAll('[data-testid="device-row"]')].map((r) => r.getAttribute('data-device-id'));
  return { first: Number(box?.getAttribute('data-first')), last: Number(box?.getAttribute('data-last')), rows };
}, null);

for (const name of BROWSERS) {
  describe(`5 000 devices in the popup (${name})`, () => {
    let env: SuiteEnv;
    useBrowser(name, (e) => (env = e));

    test('"Show all" draws a bounded window; scrolling reaches the last device; focus moves the window', async () => {
      const account = await largeAccount(env.hs);
      const ui = await connectManually(env.b, env.hs, account.user.accessToken, { timeoutMs: 180_000 });
      assert.equal(await ui.attr('status-verdict', 'data-healthy'), 'true');
      assert.equal(await ui.count('device-row'), 200);

      // Over 20 devices the section starts collapsed, its count in the heading: open it as a person would.
      await ui.evaluate(() => (document.querySelector('[data-testid="devices-section"] summary') as HTMLElement).click(), null);
      await ui.click('devices-show-all');
      await ui.waitFor('devices-scroll');
      const start = await windowOf(ui);
      assert.equal(start.first, 0);
      assert.ok(start.rows.length > 0 && start.rows.length <= MAX_DRAWN, `${start.rows.length} rows drawn`);
      // The scroll box is a keyboard stop of its own (arrow keys and Page Down scroll it).
      assert.equal(await ui.evaluate(() => document.querySelector<HTMLElement>('[data-testid="devices-scroll"]')?.tabIndex, null), 0);

      // Focus the last control of the last drawn row, as Tab would reach it: the browser scrolls it
      // into view and the window follows, so the next row exists for the next Tab.
      await ui.evaluate(() => {
        const rows = document.querySelectorAll('[data-testid="device-row"]');
        const buttons = rows[rows.length - 1]!.querySelectorAll('button');
        buttons[buttons.length - 1]!.focus();
      }, null);
      const moved = await waitUntil('the window to follow the focus', async () => {
        const w = await windowOf(ui);
        return w.last > start.last ? w : undefined;
      });
      assert.ok(moved.rows.includes(start.rows.at(-1)!), 'the focused row is still drawn');
      assert.ok(moved.rows.length <= MAX_DRAWN);

      // Scroll to the end (again while the measured row height settles): the last device is drawn.
      const end = await waitUntil('the last device', async () => {
        await ui.evaluate(() => {
          const box = document.querySelector('[data-testid="devices-scroll"]')!;
          box.scrollTop = box.scrollHeight;
        }, null);
        const w = await windowOf(ui);
        return w.last === DEVICES ? w : undefined;
      }, 60_000);
      assert.ok(end.rows.length <= MAX_DRAWN, `${end.rows.length} rows drawn at the end`);
      const ids = new Set(account.devices.map((d) => d.deviceId));
      assert.equal(ids.size, DEVICES);
      assert.ok(end.rows.every((id) => ids.has(id!)));
      assert.equal(await ui.count('device-row'), end.rows.length);

      // Filtering while the window is drawn at the top: the rows stay where they are and each is
      // redrawn for the device now at its place (rows are kept between scroll steps,
      // src/popup/components/virtual-rows.tsx), so the window shows exactly the matching devices,
      // in the table's order.
      await ui.evaluate(() => {
        const box = document.querySelector('[data-testid="devices-scroll"]')!;
        box.scrollTop = 0;
      }, null);
      await waitUntil('the window back at the top', async () => (await windowOf(ui)).first === 0);
      const letter = filterLetter([...ids]);
      const matching = [...ids].filter((id) => id.includes(letter)).sort();
      await ui.fill('device-filter', letter.toLowerCase());
      const filtered = await waitUntil('the filtered window', async () => {
        const w = await windowOf(ui);
        return w.rows.length > 0 && w.rows.length === w.last - w.first && w.rows.every((id) => id!.includes(letter)) ? w : undefined;
      }).catch(async (e: unknown) => {
        throw new Error(`${String(e)}; drawn: ${JSON.stringify(await windowOf(ui))}`);
      });
      assert.equal(filtered.first, 0);
      assert.deepEqual(filtered.rows, matching.slice(0, filtered.last));
      await ui.close();
    });
  });
}
