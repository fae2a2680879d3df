// The background's flow manager (src/background/repair-flow.ts) driven from Node with a real
// Matrix client, as repair-flow.test.ts does, plus a loop that answers password prompts until the
// flow ends. The client's base URL and timeout are read per call, so a test can point the run at
// a fault proxy or shorten the timeout for the run only.
import { createMatrixClient } from '../../src/core/index.ts';
import { createFlowManager, isActive } from '../../src/background/repair-flow.ts';
import type { RepairFlowView } from '../../src/ext/protocol.ts';
import type { FixtureAccount } from './identity.ts';

export const SESSION = 's1';

export function flowManager(account: FixtureAccount, conn: { baseUrl: () => string; timeoutMs?: () => number }) {
  /** Every mirrored view of the session, in order (what storage.session saw). */
  const views: RepairFlowView[] = [];
  let store: Record<string, RepairFlowView> | undefined;
  const flows = createFlowManager({
    client: async () => createMatrixClient({
      baseUrl: conn.baseUrl(), accessToken: account.user.accessToken, fetch: (input, init) => fetch(input, init),
      timeoutMs: conn.timeoutMs?.() ?? 30_000,
    }),
    session: async () => ({ userId: account.user.userId, deviceId: account.user.deviceId }),
    mirror: async (v) => {
      store = v;
      if (v[SESSION]) views.push(structuredClone(v[SESSION]));
    },
    restore: async () => store,
  });
  return { flows, views };
}

type Flows = ReturnType<typeof createFlowManager>;

/** Start a previewed flow and answer every password prompt until it ends (or `timeoutMs`). */
export async function runToEnd(flows: Flows, flowId: string, password: string, timeoutMs = 60_000): Promise<RepairFlowView> {
  flows.start(flowId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await flows.state(SESSION);
    if (view === null) throw new Error('the flow disappeared');
    if (!isActive(view) && view.phase !== 'preview') return view;
    if (view.prompt?.kind === 'password') flows.password(flowId, password);
    else if (view.prompt !== undefined) throw new Error(`unexpected prompt ${view.prompt.kind}`);
    if (Date.now() > deadline) throw new Error(`the flow did not end within ${timeoutMs} ms (phase ${view.phase})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
