/**
 * Errors of the repair engine. Each class sets `name` so it survives being serialised across
 * extension contexts as `{name, message}` (docs/design.md#errors, point 4).
 */
import { say } from '../words/say.ts';

/** Why a repair stopped on the user's side. */
export type CancelReason = 'aborted' | 'password-declined' | 'flow-declined' | 'fallback-declined';

/**
 * The user (or the caller's AbortSignal) cancelled. Nothing half-done is hidden: the plan's
 * progress says which steps completed, and re-running the plan resumes after them.
 */
export class RepairCancelledError extends Error {
  override readonly name = 'RepairCancelledError';
  readonly reason: CancelReason;

  constructor(reason: CancelReason, message = say('core_eng_repair_cancelled')) {
    super(message);
    this.reason = reason;
  }
}

/** Why user-interactive authentication could not be completed. */
export type UiaFailureCode =
  | 'no-supported-flow' // no flow offered, or the chosen index was not offered
  | 'no-session' // a stage needs a session ID and the server sent none
  | 'bad-params' // e.g. m.oauth without a valid http(s) `url` (docs/matrix-api.md#uia-oauth)
  | 'too-many-attempts' // password, fallback or round limit reached
  | 'approval-timeout'; // m.oauth / org.matrix.cross_signing_reset: not approved in time

/** UIA gave up. `message` is safe to show; it never contains the password. */
export class UiaFailedError extends Error {
  override readonly name = 'UiaFailedError';
  readonly code: UiaFailureCode;

  constructor(code: UiaFailureCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Why a plan could not be built (bad or untrusted input). Returned in a Result, not thrown. */
export type PlanErrorCode =
  | 'nothing-lost' // new private keys would be uploaded before being stored or exported
  | 'bad-input' // malformed keys, devices, backup or seeds
  | 'seed-mismatch' // a seed does not derive the published public key
  | 'bad-secret-storage-key' // the key does not match its description, or is not the default
  | 'unsafe-secret-storage-key' // nothing may be stored under the key: not proven right, or too few PBKDF2 iterations (storeRefusal)
  | 'secret-unreadable' // a stored secret does not decrypt under the given key
  | 'would-overwrite' // the default key already holds a different value for this secret
  | 'untrusted-backup' // no evidence that the backup's public key is the user's
  | 'nothing-to-do';

export interface PlanError {
  code: PlanErrorCode;
  message: string;
}

/** The executor was handed a progress record of another plan, or a step ran out of order. */
export class PlanMismatchError extends Error {
  override readonly name = 'PlanMismatchError';
}
