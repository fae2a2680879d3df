// The background's repair-flow manager (src/background/repair-flow.ts) driven from Node against
// Synapse, as the extension's background runs it, with an optional fetch wrapper to inject faults
// and a mirror that survives a "restart" (a second manager reading the same mirror).
import { createMatrixClient } from '../../src/core/index.ts';
import { createFlowManager } from '../../src/background/repair-flow.ts';
import type { RepairFlowView } from '../../src/ext/protocol.ts';
import type { FixtureAccount } from './identity.ts';
import type { SynapseInfo } from './test-synapse.ts';
import { waitUntil } from './ui-page.ts';

export type FlowManager = ReturnType<typeof createFlowManager>;
export type Mirror = { views: Record<string, RepairFlowView> | undefined; writes: string[] };

export function nodeFlowManager(hs: SynapseInfo, account: FixtureAccount, opts: { fetch?: typeof fetch; mirror?: Mirror; timeoutMs?: number } = {}) {
  const mirror: Mirror = opts.mirror ?? { views: undefined, writes: [] };
  const flows = createFlowManager({
    client: async () => createMatrixClient({
      baseUrl: hs.baseUrl, accessToken: account.user.accessToken, fetch: opts.fetch ?? fetch,
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    }),
    session: async () => ({ userId: account.user.userId, deviceId: account.user.deviceId }),
    mirror: async (views) => { mirror.views = views; mirror.writes.push(JSON.stringify(views)); },
    restore: async () => mirror.views,
  });
  return { flows, mirror };
}

/** The session's flow once `ok` holds. */
export const untilFlow = (flows: FlowManager, what: string, ok: (v: RepairFlowView) => boolean, sessionId = 's1') =>
  waitUntil(what, async () => {
    const v = await flows.state(sessionId);
    return v !== null && ok(v) ? v : undefined;
  }, 30_000);
