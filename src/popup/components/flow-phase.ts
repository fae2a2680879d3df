import type { RepairFlowView } from '../../ext/protocol.ts';

/** A flow that runs or waits for the user's answer (as opposed to a preview, or a finished one). */
export const activeFlow = (f: RepairFlowView | null): boolean => f !== null && (f.phase === 'running' || f.phase === 'prompt');
