// `npm run demo`: see the tool work without an account of your own. Starts a local Synapse,
// creates a user whose identity is deliberately broken (master key replaced; devices still carry
// signatures from the old self-signing key), serves an Element-style page holding that session,
// and opens the extension on it. With a display the browser stays open for you to explore
// (Ctrl+C ends the demo); without one it runs headless, saves a screenshot of the extension UI
// and prints its path.
//
// `npm run demo -- --walkthrough`: the main journey in both browsers, headless, one screenshot per
// step in artifacts/walkthrough/<browser>/ (scripts/walkthrough.ts); `--update-docs` also copies
// the Chromium ones to docs/walkthrough/, which the README shows.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { missingBrowsers, type BrowserName } from '../e2e/harness/browser-paths.ts';
import { BROWSERS, launchBrowser } from '../e2e/harness/browsers.ts';
import { buildAccount } from '../e2e/harness/identity.ts';
import { startSynapse } from '../e2e/harness/synapse.ts';
import { serveWebApp, webApps } from '../e2e/harness/web-app-pages.ts';
import { walkthrough } from './walkthrough.ts';

const root = new URL('..', import.meta.url).pathname;
const browserName: BrowserName = process.argv.includes('--firefox') ? 'firefox' : 'chromium';
const headed = Boolean(process.env.DISPLAY) && !process.argv.includes('--headless');
const say = (line: string) => console.log(`demo: ${line}`);

const missing = missingBrowsers();
if (missing.length) {
  for (const line of missing) console.error(line);
  process.exit(1);
}
// The demo page is a localhost page opened by automation, where activeTab is never granted, so
// it uses the test build (production + localhost host permissions).
const built = spawnSync(process.execPath, ['scripts/build.mjs', '--test'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(1);

const hs = await startSynapse();
say(`Synapse ${hs.baseUrl} ready in ${hs.startupMs} ms`);

if (process.argv.includes('--walkthrough')) {
  const out = join(root, 'artifacts', 'walkthrough');
  let failed = false;
  for (const name of BROWSERS) {
    try {
      const shots = await walkthrough(hs, name, out);
      say(`${name}: ${shots.length} steps`);
      for (const shot of shots) console.log(relative(process.cwd(), shot));
    } catch (e) {
      failed = true;
      console.error(`demo: ${name}: the walkthrough stopped: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  }
  if (!failed && process.argv.includes('--update-docs')) {
    const docs = join(root, 'docs', 'walkthrough');
    rmSync(docs, { recursive: true, force: true });
    mkdirSync(docs, { recursive: true });
    for (const file of readdirSync(join(out, 'chromium'))) copyFileSync(join(out, 'chromium', file), join(docs, file));
    say(`copied the Chromium screenshots to ${relative(process.cwd(), docs)}`);
  }
  await hs.stop();
  process.exit(failed ? 1 : 0);
}
const account = await buildAccount(hs, 'master-replaced', { devices: 3 });
say(`user ${account.user.userId} (password ${account.user.password}), ${account.devices.length} devices, master key replaced`);
if (account.secretStorage) say(`recovery key to try in the UI: ${account.secretStorage.recoveryKey}`);
const page = await serveWebApp(webApps.element({ ...account.user }, 'encrypted'));
say(`Element-style web app page holding that session: ${page.url}`);

const browser = await launchBrowser(browserName, { headless: !headed, leakWatch: false });
const { tabId } = await browser.openTab(page.url);
const ui = await browser.openUi(tabId);
await ui.waitFor('status-verdict', { timeoutMs: 60_000 });
say(`${browserName}: ${(await ui.text('status-verdict')).trim()}`);

const stop = async () => {
  await browser.close().catch(() => {});
  await page.close();
  await hs.stop();
};
if (headed) {
  say('the browser stays open; press Ctrl+C to end the demo');
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
} else {
  const dir = join(root, 'artifacts');
  mkdirSync(dir, { recursive: true });
  const shot = join(dir, `demo-popup-${browserName}.png`);
  await ui.screenshot(shot);
  await stop();
  say(`no display: ran headless; screenshot of the extension UI at ${relative(process.cwd(), shot)}`);
  console.log(shot);
  process.exit(0);
}
