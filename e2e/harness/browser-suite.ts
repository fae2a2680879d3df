// The setup most browser test files share: inside a describe block, the test Synapse and one
// launched browser for its tests (optionally behind a fault proxy, or with scripted stand-ins),
// closed after them — the proxy even when the browser's close() reports a leak, or the test
// process would never exit.
import { after, before } from 'node:test';
import type { BrowserName } from './browser-paths.ts';
import { launchBrowser } from './browsers.ts';
import type { ExtensionBrowser } from './extension-browser.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import type { ScriptedHomeserver } from './scripted-homeserver.ts';
import { standInWith, type StandInAccount } from './stand-in-account.ts';
import { testSynapse, type SynapseInfo } from './test-synapse.ts';

export type SuiteEnv = { hs: SynapseInfo; b: ExtensionBrowser };

/** Registers the hooks; `assign` receives the environment once it is up (before the first test). */
export function useBrowser(name: BrowserName, assign: (env: SuiteEnv) => void): void {
  let env: SuiteEnv | undefined;
  before(async () => {
    env = { hs: await testSynapse(), b: await launchBrowser(name) };
    assign(env);
  });
  after(() => env?.b.close());
}

/** As useBrowser, plus a fault proxy in front of the test Synapse (e2e/harness/fault-proxy.ts). */
export function useBrowserWithFaultProxy(name: BrowserName, assign: (env: SuiteEnv & { proxy: FaultProxy }) => void): void {
  let env: (SuiteEnv & { proxy: FaultProxy }) | undefined;
  before(async () => {
    const hs = await testSynapse();
    const b = await launchBrowser(name);
    env = { hs, b, proxy: await startFaultProxy(hs.baseUrl) };
    assign(env);
  });
  after(async () => {
    try {
      await env?.b.close();
    } finally {
      await env?.proxy.close();
    }
  });
}

/**
 * As useBrowser, for tests against the scripted stand-in: `fresh()` closes the previous stand-in
 * and starts a new one serving a new healthy account seeded from the test Synapse.
 */
export function useBrowserWithStandIn(
  name: BrowserName,
  assign: (env: { b: ExtensionBrowser; fresh: () => Promise<{ hs: ScriptedHomeserver; account: StandInAccount }> }) => void,
): void {
  let current: ScriptedHomeserver | undefined;
  useBrowser(name, ({ hs: synapse, b }) => assign({
    b,
    fresh: async () => {
      await current?.close();
      const made = await standInWith(synapse, 'healthy');
      current = made.hs;
      return made;
    },
  }));
  after(() => current?.close());
}
