/**
 * How a run of a repair ended, in plain words, for both front ends: success; rejected signatures;
 * or stopped at a step — with whether the homeserver may have done that step anyway (a lost
 * answer), and the half-done warning when secret storage may hold new private keys that were
 * never published. The half-done rule reads the plan's steps (their kinds and what they write),
 * never step IDs, so both front ends decide it the same way.
 */
import { ConnectionError, MatrixApiError } from '../matrix/errors.ts';
import { PlanMismatchError, RepairCancelledError, UiaFailedError } from '../repair/errors.ts';
import type { RepairPlan, SignatureFailure } from '../repair/plans.ts';
import type { Surface } from './repair-request.ts';
import { say } from '../words/say.ts';

/** How the executor's run ended. `completed` counts the steps done, in plan order. */
export type RunEnd =
  | { kind: 'success' }
  | { kind: 'rejected'; failures: SignatureFailure[] }
  | { kind: 'error'; error: unknown; completed: number };

export interface OutcomeDescription {
  outcome: 'success' | 'failed' | 'cancelled';
  /** The headline: what happened, in words (no trailing half-done warning). */
  message: string;
  /** The step the run stopped at (its title), for a run stopped by an error. */
  step?: string;
  /** The answer to the last request was lost: the homeserver may have done it. */
  lostAnswer: boolean;
  /** Set when secret storage may hold new private keys that are not published: what to do about it. */
  halfDone?: string;
  /** The error was not one the repair engine words (a programming error): the front end may rethrow it. */
  unexpected: boolean;
}

/** A step that writes a NEW private key into secret storage (not a copy kept aside under dev.xsign-doctor.*). */
const storesNewKey = (step: RepairPlan['steps'][number]): boolean =>
  step.kind === 'put-secret' && !step.request.path.includes('dev.xsign-doctor.');

/**
 * New private keys may be in secret storage, unpublished: a step that stores one completed and
 * the key upload did not (docs/design.md#repair-plans: new keys are stored before they are published).
 */
export function isHalfDone(plan: RepairPlan, completed: number): boolean {
  if (Object.keys(plan.publicKeys).length === 0) return false;
  const done = plan.steps.slice(0, completed);
  return done.some(storesNewKey) && !done.some((s) => s.kind === 'upload-cross-signing-keys')
    && plan.steps.some((s) => s.kind === 'upload-cross-signing-keys');
}

const HALF_DONE = { cli: 'core_app_outcome_half_done_cli', popup: 'core_app_outcome_half_done' } as const;

/**
 * A reset or regeneration that published its keys but did not sign the people it was to keep
 * verified: they now read "verified with your replaced user-signing key", so reverify-users is
 * the way on; the same repair again would replace the keys once more (and keep no one, since the
 * new user-signing key has signed no one). Read from step kinds: an upload of signatures on other
 * users' keys after the key upload.
 */
export function isCarryOverLeft(plan: RepairPlan, completed: number): boolean {
  const upload = plan.steps.findIndex((s) => s.kind === 'upload-cross-signing-keys');
  if (upload < 0 || completed <= upload) return false;
  return plan.steps.slice(completed).some((s) => s.kind === 'upload-signatures' && Object.keys(s.request.body).some((u) => u !== plan.userId));
}

/** The carry-over warning after the run's own words ($1). */
const CARRY_OVER_LEFT = { cli: 'core_app_outcome_carry_over_left_cli', popup: 'core_app_outcome_carry_over_left' } as const;

/** Describe how a run of `plan` ended. */
export function describeOutcome(plan: RepairPlan, end: RunEnd, surface: Surface): OutcomeDescription {
  const cli = surface.name === 'cli';
  if (end.kind === 'success') return { outcome: 'success', message: say('core_app_outcome_done', plan.title), lostAnswer: false, unexpected: false };
  if (end.kind === 'rejected') {
    // Rejected signatures on other people's keys in a carry-over: those people are the replaced key's.
    const carry = plan.steps.some((s) => s.kind === 'upload-cross-signing-keys') && end.failures.some((f) => f.userId !== plan.userId);
    const message = cli
      ? say(carry ? 'core_app_outcome_rejected_carry_cli' : 'core_app_outcome_rejected_cli')
      : say(carry ? 'core_app_outcome_rejected_carry' : 'core_app_outcome_rejected');
    return { outcome: 'failed', message, lostAnswer: false, unexpected: false };
  }
  const { error, completed } = end;
  const cancelled = error instanceof RepairCancelledError;
  const lostAnswer = error instanceof ConnectionError;
  let message: string;
  let unexpected = false;
  if (cancelled || error instanceof UiaFailedError || error instanceof PlanMismatchError) message = error.message;
  else if (error instanceof MatrixApiError) message = say(cli ? 'core_app_outcome_refused_cli' : 'core_app_outcome_refused', error.message);
  // A timeout, a reset or an unreadable answer: the homeserver may have done the step anyway.
  else if (lostAnswer) {
    message = say(cli ? 'core_app_outcome_lost_cli' : 'core_app_outcome_lost', error.message);
  } else {
    unexpected = true;
    message = error instanceof Error ? error.message : String(error);
  }
  if (!cancelled && !unexpected && isCarryOverLeft(plan, completed)) {
    // After a lost answer the warning follows the error itself, with its full stop: data here, as
    // '$1. The new keys…' could not be told apart from '$1 The new keys…' after a sentence's own stop.
    message = say(CARRY_OVER_LEFT[surface.name], lostAnswer ? `${error instanceof Error ? error.message : String(error)}.` : message);
  }
  const out: OutcomeDescription = { outcome: cancelled ? 'cancelled' : 'failed', message, lostAnswer, unexpected };
  const step = plan.steps[completed];
  if (step !== undefined) out.step = step.title;
  if (isHalfDone(plan, completed)) out.halfDone = say(HALF_DONE[surface.name]);
  return out;
}
