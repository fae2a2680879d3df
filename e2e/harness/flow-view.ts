// The repair flow as the background reports it, and a deadline for a step that may hang: shared
// by the worker-restart tests (e2e/worker-restart.test.ts, e2e/fix-resume.test.ts).
import type { RepairFlowView } from '../../src/ext/protocol.ts';
import type { UiPage } from './ui-page.ts';

/**
 * The flow the popup shows, as the background reports it (repairState), asked from the popup page;
 * its session is found in the storage.session mirror by the panel's flow ID (earlier tests'
 * sessions are there too).
 */
export async function flowView(ui: UiPage): Promise<RepairFlowView> {
  const flowId = await ui.attr('repair-panel', 'data-flow-id');
  return ui.evaluate(async (id) => {
    const mirror = (await browser.storage.session.get('repairFlows'))['repairFlows'] as Record<string, { flowId: string }>;
    const sessionId = Object.keys(mirror).find((k) => mirror[k]!.flowId === id)!;
    const answer = await browser.runtime.sendMessage({ type: 'repairState', req: { sessionId } }) as { ok: boolean; value: RepairFlowView };
    return answer.value;
  }, flowId);
}

/** `promise`, or a failure naming `what` after `ms` (a hung test says where it hung). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

