/**
 * What a stopped repair tells the user: the error in plain words, with what may have happened on
 * the homeserver (a lost answer may still be a done write) and what to run next; and the view of a
 * flow a restarted background found in its mirror but cannot continue.
 */
import { describeOutcome, type RunEnd } from '../core/app/describe-outcome.ts';
import type { RepairPlan } from '../core/repair/plans.ts';
import type { RepairFlowView } from '../ext/protocol.ts';
import { say } from '../core/words/say.ts';

/** The popup's message for how a run of `plan` ended (src/core/app/describe-outcome.ts words it for both front ends). */
export function outcomeMessage(plan: RepairPlan, end: RunEnd): string {
  const d = describeOutcome(plan, end, { name: 'popup' });
  return d.halfDone === undefined ? d.message : `${d.message} ${d.halfDone}`;
}

/** The message for an error thrown by the executor, after `completed` steps of `plan`. */
export function failureMessage(error: unknown, plan: RepairPlan, completed: number): string {
  return outcomeMessage(plan, { kind: 'error', error, completed });
}

/**
 * A flow the mirror shows previewed or running that a restarted background cannot continue (no
 * mirrored run for it, or a preview whose export text is gone; otherwise it resumes,
 * docs/design.md#repair-resume): reported failed, naming where it stopped and what the
 * homeserver publishes now.
 */
export function stoppedByRestart(view: RepairFlowView, serverState: string, at: Date): RepairFlowView {
  const step = view.progress.current;
  const { completed, total } = view.progress;
  const message = view.phase === 'preview' ? say('core_base_restart_stopped_before')
    : step === undefined ? say('core_base_restart_stopped_after', completed, total)
      : say('core_base_restart_stopped_after_at', completed, total, step);
  const { prompt: _p, waitingMs: _w, ...rest } = view;
  return {
    ...rest, phase: 'failed', result: { outcome: 'failed', message },
    error: { ...(step === undefined ? {} : { step }), message },
    serverState, updatedAt: at.toISOString(),
  };
}
