/**
 * What a stopped repair tells the user: the error in plain words, with what may have happened on
 * the homeserver (a lost answer may still be a done write) and what to run next; and the view of a
 * flow a restarted background found in its mirror but cannot continue.
 */
import { ConnectionError, MatrixApiError } from '../core/matrix/errors.ts';
import { PlanMismatchError, RepairCancelledError, UiaFailedError } from '../core/repair/errors.ts';
import type { RepairPlan } from '../core/repair/plans.ts';
import type { RepairFlowView } from '../ext/protocol.ts';

/** The message for an error thrown by the executor, after `completed` steps of `plan`. */
export function failureMessage(error: unknown, plan: RepairPlan, completed: number): string {
  let message: string;
  if (error instanceof RepairCancelledError || error instanceof UiaFailedError || error instanceof PlanMismatchError) message = error.message;
  else if (error instanceof MatrixApiError) message = `The homeserver refused: ${error.message}`;
  // A timeout, a reset or an unreadable answer: the homeserver may have done the step anyway.
  else if (error instanceof ConnectionError) message = `${error.message}. The homeserver may have done this step anyway; nothing after it was sent, and running the repair again is safe.`;
  else message = error instanceof Error ? error.message : String(error);
  const storedNew = plan.safeguard === 'secret-storage' && completed > 0 && completed < plan.steps.length && Object.keys(plan.publicKeys).length > 0;
  return storedNew
    ? `${message} Secret storage may now hold new private keys that are not published yet: “Upload keys from secret storage” publishes exactly those (or run this repair again; the keys it replaces are kept aside).`
    : message;
}

/**
 * A flow the mirror shows previewed or running that a restarted background cannot continue (no
 * mirrored run for it, or a preview whose export text is gone; otherwise it resumes,
 * docs/design.md#repair-resume): reported failed, naming where it stopped and what the
 * homeserver publishes now.
 */
export function stoppedByRestart(view: RepairFlowView, serverState: string, at: Date): RepairFlowView {
  const step = view.progress.current;
  const where = view.phase === 'preview' ? 'before it started' : `after ${view.progress.completed} of ${view.progress.total} steps${step === undefined ? '' : ` (at “${step}”)`}`;
  const message = `The extension’s background was restarted and this repair stopped ${where}. Nothing more was sent; a request in flight may or may not have reached the homeserver — see what it publishes now, then run the repair again.`;
  const { prompt: _p, waitingMs: _w, ...rest } = view;
  return {
    ...rest, phase: 'failed', result: { outcome: 'failed', message },
    error: { ...(step === undefined ? {} : { step }), message },
    serverState, updatedAt: at.toISOString(),
  };
}
