// Driving the extension UI to a status report, shared by the popup e2e tests.
import type { ExtensionBrowser } from './extension-browser.ts';
import type { SynapseInfo } from './test-synapse.ts';
import type { UiPage } from './ui-page.ts';

/** Connect the UI to an account through the manual form (the tab readers have their own tests). */
export async function connectManually(b: ExtensionBrowser, hs: SynapseInfo, token: string): Promise<UiPage> {
  const ui = await b.openUi();
  await ui.waitFor('app', { attr: ['data-loading', 'false'] });
  if (await ui.count('session-forget')) await ui.click('session-forget');
  await ui.waitFor('manual-form');
  await ui.fill('manual-homeserver', hs.baseUrl);
  await ui.fill('manual-token', token);
  await ui.click('manual-connect');
  await ui.waitFor('status-verdict', { timeoutMs: 30_000 });
  return ui;
}

/** The data-code of every problem row, sorted. */
export const problemCodes = (ui: UiPage): Promise<string[]> =>
  ui.evaluate(() => [...document.querySelectorAll('[data-testid="problem"]')].map((e) => e.getAttribute('data-code') ?? '').sort(), null);
