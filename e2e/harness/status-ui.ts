// Driving the extension UI to a status report, shared by the popup e2e tests.
import assert from 'node:assert/strict';
import type { ExtensionBrowser } from './extension-browser.ts';
import type { FixtureAccount } from './identity.ts';
import type { SynapseInfo } from './test-synapse.ts';
import { waitUntil, type UiPage } from './ui-page.ts';

/**
 * Connect the UI to an account through the manual form (the tab readers have their own tests).
 * The session's homeserver must come out proven the account's (§Server Discovery), unless
 * `confirmHost`: a server standing in for the account's (a fault proxy, a scripted stand-in) must
 * be warned about, naming its host, and is then confirmed by the person, so writes may go there.
 */
export async function connectManually(
  b: ExtensionBrowser, hs: Pick<SynapseInfo, 'baseUrl'>, token: string,
  opts: { until?: string | false; timeoutMs?: number; confirmHost?: boolean } = {},
): Promise<UiPage> {
  const ui = await b.openUi();
  await ui.waitFor('app', { attr: ['data-loading', 'false'] });
  if (await ui.count('session-forget')) await ui.click('session-forget');
  await ui.waitFor('manual-form');
  await ui.fill('manual-homeserver', hs.baseUrl);
  await ui.fill('manual-token', token);
  await ui.click('manual-connect');
  if (opts.confirmHost === true) {
    await ui.waitFor('homeserver-warning', { timeoutMs: 30_000 });
    assert.equal(await ui.attr('homeserver-warning', 'data-base-url-host'), new URL(hs.baseUrl).host);
  } else {
    await ui.waitFor('homeserver-verdict', { attr: ['data-verdict', 'proven'], timeoutMs: 30_000 });
  }
  // The status report, or (for a homeserver that answers badly) the element named by `until`.
  if (opts.until !== false) await ui.waitFor(opts.until ?? 'status-verdict', { timeoutMs: opts.timeoutMs ?? 30_000 });
  if (opts.confirmHost === true) {
    // A DOM click: the report rendering beside the card must not move the button under the pointer.
    await ui.evaluate(() => (document.querySelector('[data-testid="confirm-homeserver"]') as HTMLButtonElement).click(), null);
    await ui.waitFor('homeserver-confirmed');
  }
  return ui;
}

/** The data-code of every problem row, sorted. */
export const problemCodes = (ui: UiPage): Promise<string[]> =>
  ui.evaluate(() => [...document.querySelectorAll('[data-testid="problem"]')].map((e) => e.getAttribute('data-code') ?? '').sort(), null);

/** The public key of a published cross-signing key (its single `keys` value). */
/** Nothing secret in storage.local/sync; no password or recovery key in storage.session. */
export async function assertStorageClean(b: ExtensionBrowser, account: FixtureAccount): Promise<void> {
  const [persistent, sessionStore] = await b.evalExtension(async () => [
    JSON.stringify([await browser.storage.local.get(null), await browser.storage.sync.get(null).catch(() => ({}))]),
    JSON.stringify(await browser.storage.session.get(null)),
  ], null);
  const recovery = account.secretStorage!.recoveryKey;
  for (const secret of [account.user.accessToken, account.user.password, recovery, recovery.replace(/ /g, '')]) {
    assert.ok(!persistent.includes(secret), 'a secret in storage.local/sync');
  }
  for (const secret of [account.user.password, recovery, recovery.replace(/ /g, '')]) {
    assert.ok(!sessionStore.includes(secret), 'a password or recovery key in storage.session');
  }
}

/**
 * Whether the popup has loaded its repair chunk (scripts/build.mjs splits it off; the repair panel
 * sets data-repair-chunk="loaded" once its import() has resolved). Resource Timing lists no
 * extension files in either browser, so the panel's word is what the page can tell; that the
 * forms' markup is only in the chunk file is held by e2e/packages.test.ts.
 */
export const repairChunk = (ui: UiPage): Promise<string | null> =>
  ui.evaluate(() => document.querySelector('[data-testid="repair-section"]')?.getAttribute('data-repair-chunk') ?? null, null);

/** Open a repair's form from the toolbar's "…" buttons (not from a problem row). */
export async function openRepair(ui: UiPage, kind: string): Promise<void> {
  await ui.evaluate((k) => (document.querySelector(`[data-testid="repair-open"][data-repair="${k}"]`) as HTMLButtonElement).click(), kind);
  await ui.waitFor('repair-form', { attr: ['data-kind', kind] });
}

/** Wait until an element's text contains `needle` (a re-read report, an error sentence). */
export async function waitText(ui: UiPage, testId: string, needle: string, timeoutMs = 30_000): Promise<void> {
  await waitUntil(`${testId} to show ${needle}`, async () => (await ui.text(testId)).includes(needle), timeoutMs);
}

/** Answer the repair's password prompt once it shows. */
export async function givePassword(ui: UiPage, password: string): Promise<void> {
  await ui.waitFor('repair-password', { timeoutMs: 30_000 });
  await ui.fill('repair-password', password);
  await ui.click('repair-password-submit');
}

/** Run the previewed repair, giving `password` when the test expects UIA, and return its outcome. */
export async function runRepair(ui: UiPage, password?: string): Promise<string | null> {
  // The popup re-reads the status once a flow ends: wait for that read too, so what a test reads
  // next is the status after the repair, never the one before it.
  const reads = Number(await ui.attr('status-report', 'data-reads'));
  await ui.click('repair-run');
  if (password !== undefined) await givePassword(ui, password);
  await ui.waitFor('repair-result', { timeoutMs: 30_000 });
  await ui.waitFor('status-report', { attr: ['data-reads', String(reads + 1)], timeoutMs: 30_000 });
  return ui.attr('repair-result', 'data-outcome');
}

/** Tick or untick a checkbox by selector (a click, so the popup's handlers run). */
export const setChecked = (ui: UiPage, selector: string, checked: boolean): Promise<void> =>
  ui.evaluate(([sel, c]) => {
    const box = document.querySelector(sel) as HTMLInputElement;
    if (box.checked !== c) box.click();
  }, [selector, checked] as const);

/** Switch the repair form's key input to "passphrase" and type it. */
export async function typePassphrase(ui: UiPage, passphrase: string): Promise<void> {
  await ui.evaluate(() => {
    const select = document.querySelector('[data-testid="repair-key-kind"]') as HTMLSelectElement;
    select.value = 'passphrase';
    select.dispatchEvent(new Event('change', { bubbles: true }));
  }, null);
  await ui.fill('repair-recovery-key', passphrase);
}


/** Give the create-secret-storage form an export file, as a person choosing it in the file picker would. */
export async function chooseExportFile(ui: UiPage, content: string): Promise<void> {
  await ui.evaluate((text) => {
    const input = document.querySelector('[data-testid="repair-export-file"]') as HTMLInputElement;
    const files = new DataTransfer();
    files.items.add(new File([text], 'keys.json', { type: 'application/json' }));
    input.files = files.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, content);
}
