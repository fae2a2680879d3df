// What the popup is sent (docs/design.md#message-protocol): readStatus carries the report and the
// small server objects but not the /keys/query response; readRaw hands that over when a raw view
// opens, and readDiagnostic builds the redacted diagnostic bundle in the background. Real
// extension, real Synapse, both browsers; the messages are sent from the popup page itself.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS } from './harness/browsers.ts';
import { useBrowser, type SuiteEnv } from './harness/browser-suite.ts';
import { connectManually } from './harness/status-ui.ts';
import { buildAccount } from './harness/identity.ts';

type Reply = { ok: boolean; value?: Record<string, unknown>; json?: string; error?: { name: string } };

/** A reply's value: Firefox gets the large ones as one JSON string (docs/design.md#reply-as-json). */
const valueOf = (r: Reply | undefined): unknown => (r?.json !== undefined ? JSON.parse(r.json) : r?.value);

for (const name of BROWSERS) {
  describe(`raw views and the diagnostic on demand (${name})`, () => {
    let env: SuiteEnv;
    useBrowser(name, (e) => (env = e));

    test('readStatus has no keys/query; readRaw and readDiagnostic give this read\u2019s, without the token', async () => {
      const account = await buildAccount(env.hs, 'healthy', { devices: 3 });
      const ui = await connectManually(env.b, env.hs, account.user.accessToken);
      const replies = await ui.evaluate(async () => {
        type Api = { runtime: { sendMessage(m: unknown): Promise<unknown> } };
        const g = globalThis as { browser?: Api; chrome?: Api };
        const api = (g.browser ?? g.chrome)!;
        const session = (await api.runtime.sendMessage({ type: 'getSession', req: {} })) as { value: { sessionId: string } };
        const sessionId = session.value.sessionId;
        return {
          status: await api.runtime.sendMessage({ type: 'readStatus', req: { sessionId } }),
          raw: await api.runtime.sendMessage({ type: 'readRaw', req: { sessionId } }),
          diagnostic: await api.runtime.sendMessage({ type: 'readDiagnostic', req: { sessionId } }),
          unknown: await api.runtime.sendMessage({ type: 'readRaw', req: { sessionId: 'no-such-session' } }),
          extra: await api.runtime.sendMessage({ type: 'readDiagnostic', req: { sessionId, all: true } }),
        };
      }, null) as Record<string, Reply>;

      const status = valueOf(replies['status']) as { raw: Record<string, unknown> };
      assert.equal('keysQuery' in status.raw, false, 'readStatus does not carry keys/query');

      const keysQuery = (valueOf(replies['raw']) as { keysQuery: { device_keys: Record<string, Record<string, unknown>> } }).keysQuery;
      const devices = Object.keys(keysQuery.device_keys[account.user.userId]!).sort();
      assert.deepEqual(devices, account.devices.map((d) => d.deviceId).sort());

      const text = (valueOf(replies['diagnostic']) as { text: string }).text;
      assert.ok(!text.includes(account.user.accessToken), 'no token in the diagnostic');
      const bundle = JSON.parse(text) as { tool: string; report: { devices: unknown[] } };
      assert.equal(bundle.tool, 'xsign-doctor');
      assert.equal(bundle.report.devices.length, account.devices.length);

      assert.equal(replies['unknown']!.ok, false, 'an unknown session is refused');
      assert.equal(replies['extra']!.ok, false);
      assert.equal(replies['extra']!.error?.name, 'InvalidMessageError');

      // The keys/query raw pane does not exist until opened, then fetches and shows that JSON.
      assert.equal(await ui.count('raw-keys-query-json'), 0);
      await ui.click('raw-keys-query');
      await ui.waitFor('raw-pane', { attr: ['data-loaded', 'true'] });
      const shown = await ui.text('raw-keys-query-json');
      assert.deepEqual(Object.keys((JSON.parse(shown) as typeof keysQuery).device_keys[account.user.userId]!).sort(), devices);
      await ui.close();
    });
  });
}
