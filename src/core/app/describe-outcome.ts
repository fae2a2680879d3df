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

const HALF_DONE = {
  cli: 'Warning: secret storage may now hold the NEW private keys, not published yet (the ones they replaced are kept under dev.xsign-doctor.previous.*). `xsign-doctor upload` publishes exactly those; or run the repair again.',
  popup: 'Secret storage may now hold new private keys that are not published yet: “Upload keys from secret storage” publishes exactly those (or run this repair again; the keys it replaces are kept aside).',
} as const;

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

const CARRY_OVER_LEFT = {
  cli: 'The new keys are published, but the people you chose to keep verified are not signed by the new user-signing key: `xsign-doctor reverify-users` signs them (they read "verified with your replaced user-signing key"). Running the reset again would replace the keys once more.',
  popup: 'The new keys are published, but the people you chose to keep verified are not signed by the new user-signing key: “Verify again after a reset” signs them (they read “verified with your replaced user-signing key”). Running this repair again would replace the keys once more.',
} as const;

/** Describe how a run of `plan` ended. */
export function describeOutcome(plan: RepairPlan, end: RunEnd, surface: Surface): OutcomeDescription {
  const cli = surface.name === 'cli';
  if (end.kind === 'success') return { outcome: 'success', message: `Done: ${plan.title}.`, lostAnswer: false, unexpected: false };
  if (end.kind === 'rejected') {
    // Rejected signatures on other people's keys in a carry-over: those people are the replaced key's.
    const carry = plan.steps.some((s) => s.kind === 'upload-cross-signing-keys') && end.failures.some((f) => f.userId !== plan.userId);
    const carried = carry ? ` Those people are not verified by the new user-signing key: ${cli ? '`xsign-doctor reverify-users`' : '“Verify again after a reset”'} signs them.` : '';
    return { outcome: 'failed', message: `The homeserver rejected some signatures${cli ? ':' : '.'}${carried}`, lostAnswer: false, unexpected: false };
  }
  const { error, completed } = end;
  const cancelled = error instanceof RepairCancelledError;
  const lostAnswer = error instanceof ConnectionError;
  let message: string;
  let unexpected = false;
  if (cancelled || error instanceof UiaFailedError || error instanceof PlanMismatchError) message = error.message;
  else if (error instanceof MatrixApiError) message = `${cli ? 'the' : 'The'} homeserver refused: ${error.message}`;
  // A timeout, a reset or an unreadable answer: the homeserver may have done the step anyway.
  else if (lostAnswer) {
    message = cli
      ? `${error.message}. The repair stopped; the server state follows (if it can be read). Run the command again to finish.`
      : `${error.message}. The homeserver may have done this step anyway; nothing after it was sent, and running the repair again is safe.`;
  } else {
    unexpected = true;
    message = error instanceof Error ? error.message : String(error);
  }
  if (!cancelled && !unexpected && isCarryOverLeft(plan, completed)) {
    message = lostAnswer ? `${error instanceof Error ? error.message : String(error)}. ${CARRY_OVER_LEFT[surface.name]}` : `${message} ${CARRY_OVER_LEFT[surface.name]}`;
  }
  const out: OutcomeDescription = { outcome: cancelled ? 'cancelled' : 'failed', message, lostAnswer, unexpected };
  const step = plan.steps[completed];
  if (step !== undefined) out.step = step.title;
  if (isHalfDone(plan, completed)) out.halfDone = HALF_DONE[surface.name];
  return out;
}
