// The popup in German, in both real browsers (docs/design.md#translations): the browser's UI
// language picks _locales/de, the manifest's name and description come from it, and the verdict
// and the section headings are German. Every other suite runs in English, the default.
//
// How a browser is put in German, as established on Debian's builds (each tried alone):
// - Chromium: `--lang=de` is what sets the UI locale that chrome.i18n answers with (getUILanguage
//   "de"); the LANGUAGE environment variable is set as well, as on a German desktop. Neither works
//   without Debian's chromium-l10n: a UI locale whose .pak is missing falls back to en-US.
// - Firefox: the pref intl.locale.requested = "de" with Debian's firefox-esr-l10n-de language
//   pack installed; without the pack the app locale stays en-US and so does browser.i18n.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, launchBrowser } from './harness/browsers.ts';
import type { ExtensionBrowser } from './harness/extension-browser.ts';
import { registerSecret } from './harness/secrets-registry.ts';
import { connectManually, setChecked } from './harness/status-ui.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { registerUser, type TestUser } from './harness/users.ts';
import { waitUntil } from './harness/ui-page.ts';
import { serveWebApp, webApps } from './harness/web-app-pages.ts';
import { coreTemplates } from '../src/popup/said-again.ts';
import { readMessages } from '../src/popup/i18n-testing.ts';

const de = readMessages('de');
const en = readMessages('en');

/** Whether `text` is one of `lang`'s core_ messages (what the core says, src/core/words) with any data in it. */
const isCoreMessage = (lang: Record<string, { message: string }>, text: string): boolean =>
  coreTemplates(lang).some((template) => template.pattern.test(text));

for (const name of BROWSERS) {
  describe(`translations (${name})`, () => {
    let hs: SynapseInfo;
    let user: TestUser;
    let b: ExtensionBrowser;
    before(async () => {
      hs = await testSynapse();
      user = await registerUser(hs);
      b = await launchBrowser(name, { locale: 'de' });
    });
    after(() => b?.close());

    test('the browser answers in German, and the manifest resolves to the German messages', async () => {
      const ui = await b.openUi();
      await ui.waitFor('app', { attr: ['data-loading', 'false'] });
      const seen = await ui.evaluate(() => {
        const manifest = browser.runtime.getManifest();
        return { lang: browser.i18n.getUILanguage(), name: manifest.name, description: manifest.description, title: manifest.action?.default_title };
      }, null);
      assert.match(seen.lang, /^de\b/, 'the UI language is not German: are chromium-l10n and firefox-esr-l10n-de installed (.ci/setup)?');
      assert.equal(seen.name, de.extName!.message);
      assert.equal(seen.title, de.extName!.message);
      assert.equal(seen.description, de.extDescription!.message);
      assert.notEqual(seen.description, en.extDescription!.message);
      await ui.close();
    });

    test('a tab without a Matrix web app: the error banner is German (words sent by the background)', async () => {
      const app = await serveWebApp(webApps.empty());
      try {
        const { tabId, page } = await b.openTab(app.url);
        await waitUntil('the fixture page', async () => (await page.evaluate(() => document.title, null)) === 'ready');
        const ui = await b.openUi(tabId);
        await ui.waitFor('error', { attr: ['data-code', 'not-matrix'] });
        assert.equal(await ui.text('error'), de.err_not_matrix!.message);
        await ui.close();
        await page.close();
      } finally {
        await app.close();
      }
    });

    test('the verdict and the section headings are German', async () => {
      // A new account has no cross-signing identity: a verdict with problems and their count.
      const ui = await connectManually(b, hs, user.accessToken);
      const verdict = await ui.text('status-verdict');
      assert.match(verdict, /^✗ \d+ Probleme? gefunden, \d+ Ursachen?$/);
      // Its root cause, said by the popup from the cause's code (src/popup/core-words.ts).
      const causes = await ui.evaluate(() => [...document.querySelectorAll('[data-testid="verdict-cause"]')].map((c) => c.textContent ?? ''), null);
      assert.ok(causes.some((c) => c.includes(de.cause_no_identity!.message)), `causes: ${causes.join(' | ')}`);
      const problems = await ui.evaluate(() => [...document.querySelectorAll('[data-testid="problem"]')].map((c) => c.textContent ?? ''), null);
      assert.ok(problems.some((c) => c.includes(de.prob_no_cross_signing!.message)), `problems: ${problems.join(' | ')}`);
      const headings = await ui.evaluate(() => [...document.querySelectorAll('h2')].map((h) => h.textContent ?? ''), null);
      assert.ok(headings.includes(de.crossSigningKeys!.message), `headings: ${headings.join(' | ')}`);
      assert.ok(headings.includes(de.keyBackup!.message), `headings: ${headings.join(' | ')}`);
      assert.ok(!headings.includes(en.crossSigningKeys!.message));
      assert.equal(await ui.text('status-refresh'), de.reread!.message);
      // Longer German words must not widen the popup sideways (Chromium would grow it to fit).
      const sideways = await ui.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth
        || document.body.scrollWidth > document.body.clientWidth, null);
      assert.equal(sideways, false, 'the German popup overflows sideways');
      await ui.close();
    });

    test('a repair in German: the plan, its steps, its notes and its outcome, all worded by the core, said again', async () => {
      // A new account: "Fix everything" sets up secret storage and cross-signing (no password asked
      // for a first upload). Every text of the flow comes from the background in English.
      const fresh = await registerUser(hs);
      const ui = await connectManually(b, hs, fresh.accessToken);
      await ui.click('fix-open');
      await ui.waitFor('repair-form', { attr: ['data-kind', 'fix'] });
      await ui.click('repair-preview-button');
      await ui.waitFor('recovery-key-offer', { timeoutMs: 60_000 });
      registerSecret('recovery-key', (await ui.text('new-recovery-key')).trim(), 'a recovery key made in the German popup');
      const texts = await ui.evaluate(() => {
        const panel = document.querySelector('[data-testid="repair-panel"]')!;
        // No named helper in here: the test's transpiler would wrap it in a function the page lacks.
        return [panel.querySelector('h2')!.textContent ?? '', ...[...panel.querySelectorAll('[data-testid="repair-step"]')]
          .map((e) => [...e.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? '').join('').replace(/^✓ /, '').trim()),
          ...[...panel.querySelectorAll('ul.muted > li')].map((li) => li.textContent ?? '')];
      }, null);
      assert.ok(texts.length >= 4, texts.join(' | '));
      const english = texts.filter((x) => isCoreMessage(en, x) && !isCoreMessage(de, x));
      assert.deepEqual(english, [], 'still English');
      const unknown = texts.filter((x) => !isCoreMessage(de, x));
      assert.deepEqual(unknown, [], 'not one of the German core messages');
      await setChecked(ui, '[data-testid="recovery-key-saved"]', true);
      await ui.click('repair-run');
      await ui.waitFor('repair-result', { attr: ['data-outcome', 'success'], timeoutMs: 60_000 });
      const outcome = await ui.evaluate(() => document.querySelector('[data-testid="repair-result"] p')?.textContent ?? '', null);
      assert.ok(isCoreMessage(de, outcome) && !isCoreMessage(en, outcome), `outcome: ${outcome}`);
      await ui.close();
    });
  });
}
