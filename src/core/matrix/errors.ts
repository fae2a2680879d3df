/**
 * The error split for the Matrix client (docs/design.md#errors, docs/matrix-api.md#uia-challenge):
 *
 * - the homeserver said no, with a Matrix `errcode` → {@link MatrixApiError};
 * - the homeserver asks for user-interactive authentication (a 401 whose body has `flows`)
 *   → {@link UiaRequiredError};
 * - anything else (no answer, timeout, 5xx, 4xx without `errcode`, unreadable body)
 *   → {@link ConnectionError}.
 *
 * Messages name the method and path but never carry the access token; the client redacts
 * it from every message it builds, even when a hostile server echoes it back.
 */
import type { UiaChallenge } from './types.ts';

/** Fields of a {@link MatrixApiError}. */
export interface MatrixApiErrorInit {
  status: number;
  errcode: string;
  body: unknown;
  retryAfterMs?: number | undefined;
  softLogout?: boolean | undefined;
}

/**
 * The homeserver answered 4xx with a Matrix error body (`{errcode, error}`), e.g.
 * 401 `M_UNKNOWN_TOKEN` / `M_MISSING_TOKEN`, 403 `M_FORBIDDEN`, 404 `M_NOT_FOUND`,
 * 429 `M_LIMIT_EXCEEDED`.
 * @see https://spec.matrix.org/v1.18/client-server-api/#standard-error-response
 */
export class MatrixApiError extends Error {
  override readonly name = 'MatrixApiError';
  /** HTTP status code. */
  readonly status: number;
  /** The spec `errcode`, e.g. `M_FORBIDDEN`. */
  readonly errcode: string;
  /** The parsed JSON body, as received. Untrusted. */
  readonly body: unknown;
  /**
   * How long the server asked us to wait, from the `Retry-After` header or `retry_after_ms`.
   * @see https://spec.matrix.org/v1.18/client-server-api/#rate-limiting
   */
  readonly retryAfterMs: number | undefined;
  /**
   * `soft_logout: true` on a 401 `M_UNKNOWN_TOKEN`: the session can be re-authenticated
   * without losing the device.
   * @see https://spec.matrix.org/v1.18/client-server-api/#soft-logout
   */
  readonly softLogout: boolean;

  constructor(message: string, init: MatrixApiErrorInit) {
    super(message);
    this.status = init.status;
    this.errcode = init.errcode;
    this.body = init.body;
    this.retryAfterMs = init.retryAfterMs;
    this.softLogout = init.softLogout === true;
  }
}

/** Why a request failed without a usable Matrix answer. */
export type ConnectionErrorKind =
  | 'network' // fetch itself failed: DNS, refused, reset, TLS, CORS, redirect refused
  | 'timeout' // no complete answer within timeoutMs
  | 'server' // 5xx, or 4xx without a Matrix errcode (typically a proxy or load balancer)
  | 'bad-response' // body not JSON, truncated, invalid UTF-8, or not the expected shape
  | 'too-large' // body larger than maxResponseBytes
  | 'aborted'; // the caller's AbortSignal fired

/** Fields of a {@link ConnectionError}. */
export interface ConnectionErrorInit {
  kind: ConnectionErrorKind;
  status?: number | undefined;
  cause?: unknown;
}

/**
 * The homeserver could not be reached or did not give a usable answer.
 * A 4xx without `errcode` lands here too: it most likely comes from a proxy, not from Matrix.
 */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  readonly kind: ConnectionErrorKind;
  /** HTTP status code, when a response arrived. */
  readonly status: number | undefined;

  constructor(message: string, init: ConnectionErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status;
  }
}

/**
 * The homeserver answered 401 with a user-interactive authentication challenge.
 * Resend the same request with an `auth` object (docs/matrix-api.md#uia-continue).
 * @see https://spec.matrix.org/v1.18/client-server-api/#user-interactive-authentication-api
 */
export class UiaRequiredError extends Error {
  override readonly name = 'UiaRequiredError';
  readonly status = 401 as const;
  readonly challenge: UiaChallenge;

  constructor(message: string, challenge: UiaChallenge) {
    super(message);
    this.challenge = challenge;
  }
}

/**
 * The retry delay carried by an error, or `defaultMs` when there is none.
 * Never throws, whatever `error` is.
 */
export function getRetryAfterMs(error: unknown, defaultMs: number): number {
  return error instanceof MatrixApiError && error.retryAfterMs !== undefined
    ? error.retryAfterMs
    : defaultMs;
}
