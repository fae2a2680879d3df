/**
 * Waiting with cancellation, and honouring 429 `M_LIMIT_EXCEEDED` (spec §Rate limiting:
 * `retry_after_ms`, or the `Retry-After` header, which the client folds into
 * `MatrixApiError.retryAfterMs`). Timers only: no platform APIs.
 */
import { ConnectionError, getRetryAfterMs, MatrixApiError } from '../matrix/errors.ts';
import { RepairCancelledError } from './errors.ts';

/** Resolves after `ms`, or rejects with {@link RepairCancelledError} when `signal` fires. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new RepairCancelledError('aborted'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new RepairCancelledError('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** @throws {RepairCancelledError} if `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new RepairCancelledError('aborted');
}

/**
 * Await a promise the UI controls (a prompt, a page), but give up as soon as `signal` fires:
 * a prompt the user walked away from must not keep the repair alive.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new RepairCancelledError('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (error: unknown) => { signal.removeEventListener('abort', onAbort); reject(error); },
    );
  });
}

/** An error caused by our own AbortSignal becomes {@link RepairCancelledError}; others pass through. */
export function asCancellation(error: unknown, signal: AbortSignal | undefined): unknown {
  if (error instanceof RepairCancelledError) return error;
  if (signal?.aborted === true && (error instanceof ConnectionError || (error instanceof Error && error.name === 'AbortError'))) {
    return new RepairCancelledError('aborted');
  }
  return error;
}

export function isRateLimited(error: unknown): error is MatrixApiError {
  return error instanceof MatrixApiError && (error.status === 429 || error.errcode === 'M_LIMIT_EXCEEDED');
}

/** Bounds on honouring 429s. */
export interface RateLimitPolicy {
  /** Waits per operation before giving up (default 5). */
  maxWaits: number;
  /** A single wait longer than this is not honoured: we give up instead (default 120 000 ms). */
  maxWaitMs: number;
  /** Used when the server names no delay (default 1 000 ms). */
  defaultWaitMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitPolicy = Object.freeze({ maxWaits: 5, maxWaitMs: 120_000, defaultWaitMs: 1_000 });

/** Per-operation counter of 429 waits. */
export interface RateLimiter {
  /** Wait as the 429 asked (after reporting it), or rethrow the 429 when the policy says no. */
  wait(error: MatrixApiError): Promise<void>;
}

/**
 * @param onWaiting - Told how long we are about to wait, before waiting.
 * @throws {MatrixApiError} from `wait`: the 429 itself, when the wait is too long or too frequent
 *   (its `retryAfterMs` tells the UI when to try again).
 */
export function createRateLimiter(
  policy: RateLimitPolicy, onWaiting: (ms: number) => void, signal: AbortSignal | undefined, doSleep: Sleep,
): RateLimiter {
  let waits = 0;
  return {
    async wait(error) {
      const ms = getRetryAfterMs(error, policy.defaultWaitMs);
      waits += 1;
      if (waits > policy.maxWaits || ms > policy.maxWaitMs) {
        throw error;
      }
      onWaiting(ms);
      await doSleep(ms, signal);
    },
  };
}
