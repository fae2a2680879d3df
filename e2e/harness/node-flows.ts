// The background's repair-flow manager (src/background/repair-flow.ts) driven from Node against
// Synapse, as the extension's background runs it: a real Matrix client (its base URL and timeout
// read per call, so a test can point a run at a fault proxy or shorten the timeout), an optional
// fetch wrapper to inject faults, and a mirror that survives a "restart" (a second manager
// reading the same mirror, as a restarted background reads storage.session). The stand-in tests
// also pass a window opener, to watch that a page opens only when asked and closes after.
import { createMatrixClient } from '../../src/core/index.ts';
import { createFlowManager, isActive, type FlowDeps, type MirroredRun } from '../../src/background/repair-flow.ts';
import type { RepairFlowView } from '../../src/ext/protocol.ts';
import type { TestUser } from './users.ts';
import { waitUntil } from './ui-page.ts';

export const SESSION = 's1';

export type FlowManager = ReturnType<typeof createFlowManager>;
/** What storage.session would hold: the latest views and runs, and every write as JSON. */
export type Mirror = { views: Record<string, RepairFlowView> | undefined; runs?: Record<string, MirroredRun>; writes: string[] };

const read = <T>(v: T | (() => T)): T => (typeof v === 'function' ? (v as () => T)() : v);

export function nodeFlowManager(user: Pick<TestUser, 'userId' | 'deviceId' | 'accessToken'>, conn: {
  baseUrl: string | (() => string);
  timeoutMs?: number | (() => number);
  fetch?: typeof fetch;
  mirror?: Mirror;
  openAuthWindow?: FlowDeps['openAuthWindow'];
}) {
  const mirror: Mirror = conn.mirror ?? { views: undefined, writes: [] };
  /** Every mirrored view of SESSION, in order. */
  const views: RepairFlowView[] = [];
  /** Whom the runs reported verified (the background remembers them in storage.local). */
  const remembered: { userId: string; masterKey: string }[] = [];
  let stopped = false;
  const flows = createFlowManager({
    client: async () => createMatrixClient({
      baseUrl: read(conn.baseUrl), accessToken: user.accessToken,
      // A stopped instance sends nothing more: its requests never start (a request already sent completes).
      fetch: (input, init) => (stopped ? new Promise<Response>(() => {}) : (conn.fetch ?? fetch)(input, init)),
      ...(conn.timeoutMs === undefined ? {} : { timeoutMs: read(conn.timeoutMs) }),
    }),
    session: async () => ({ userId: user.userId, deviceId: user.deviceId }),
    mirror: async (v) => {
      if (stopped) return; // a stopped background writes nothing more
      mirror.views = v.views;
      mirror.runs = v.runs;
      mirror.writes.push(JSON.stringify(v));
      if (v.views[SESSION]) views.push(structuredClone(v.views[SESSION]));
    },
    restore: async () => (mirror.views === undefined ? undefined : { views: mirror.views, runs: mirror.runs ?? {} }),
    ...(conn.openAuthWindow === undefined ? {} : { openAuthWindow: conn.openAuthWindow }),
    rememberVerified: async (_sessionId, verified) => { remembered.push(...verified); },
  });
  /**
   * What the browser's stop does to this instance: it writes nothing more to the mirror (its
   * flows are abandoned mid-await, as the dead worker's are). The next manager on the same mirror
   * is the restarted background.
   */
  const stop = (): void => { stopped = true; };
  return { flows, mirror, views, remembered, stop };
}

/** The session's flow once `ok` holds. */
export const untilFlow = (flows: FlowManager, what: string, ok: (v: RepairFlowView) => boolean, sessionId = SESSION) =>
  waitUntil(what, async () => {
    const v = await flows.state(sessionId);
    return v !== null && ok(v) ? v : undefined;
  }, 30_000);

/** Start a previewed flow (a running one is left as is) and answer every password prompt until it ends. */
export async function runToEnd(flows: FlowManager, flowId: string, password: string, timeoutMs = 60_000): Promise<RepairFlowView> {
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
