/**
 * Map a non-2xx homeserver answer to exactly one error class (docs/design.md#errors):
 * 401 with `flows` → UiaRequiredError; 4xx with `errcode` → MatrixApiError;
 * 5xx, 4xx without `errcode`, anything else → ConnectionError.
 */
import { ConnectionError, MatrixApiError, UiaRequiredError } from './errors.ts';
import type { FetchLikeResponse } from './fetch-like.ts';
import { isJsonObject, own, quote } from './json-guards.ts';
import { parseUiaChallenge } from './parse.ts';
import { say } from '../words/say.ts';

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 408: 'Request Timeout', 409: 'Conflict', 413: 'Payload Too Large',
  429: 'Too Many Requests', 500: 'Internal Server Error', 501: 'Not Implemented',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** `502 Bad Gateway`. Uses a fixed table: the server's reason phrase is untrusted text. */
export function describeStatus(status: number): string {
  const reason = REASONS[status];
  return reason === undefined ? `HTTP ${status}` : `${status} ${reason}`;
}

/**
 * The delay a 429 asks for: the `Retry-After` header (seconds or an HTTP date) if present,
 * else the body's `retry_after_ms`.
 * @see https://spec.matrix.org/v1.18/client-server-api/#rate-limiting
 */
export function retryAfterMs(headers: FetchLikeResponse['headers'], body: unknown, nowMs: number): number | undefined {
  const header = headers.get('retry-after')?.trim();
  if (header !== undefined && header !== '') {
    if (/^\d+$/.test(header)) return Number(header) * 1000;
    const date = Date.parse(header);
    if (Number.isFinite(date)) return Math.max(0, date - nowMs);
  }
  const ms = isJsonObject(body) ? own(body, 'retry_after_ms') : undefined;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? Math.ceil(ms) : undefined;
}

/** An errcode as-is when it looks like one (`M_FORBIDDEN`), else quoted and escaped. */
function codeText(errcode: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(errcode) ? errcode : quote(errcode, 60);
}

/** The server's `error` text, quoted and cut short, or `''`. */
function serverText(body: unknown): string {
  const text = isJsonObject(body) ? own(body, 'error') : undefined;
  return typeof text === 'string' && text !== '' ? ` ${quote(text, 200)}` : '';
}

/** What the client knows about a non-2xx answer. */
export interface ErrorResponse {
  /** `METHOD /path`. */
  label: string;
  status: number;
  headers: FetchLikeResponse['headers'];
  /** The parsed JSON body, or undefined when it was empty or not JSON. */
  body: unknown;
  nowMs: number;
}

/** The error to throw for a non-2xx answer. Never throws. */
export function errorForResponse(r: ErrorResponse): MatrixApiError | UiaRequiredError | ConnectionError {
  const status = describeStatus(r.status);
  const errcode = isJsonObject(r.body) ? own(r.body, 'errcode') : undefined;

  if (r.status >= 500 && r.status <= 599) {
    // The label with the errcode and server text after a colon is one substitution: a colon
    // alone between two substitutions would not tell the popup where one ends (said-again.ts).
    const detail = typeof errcode === 'string' ? `${r.label}: ${codeText(errcode)}${serverText(r.body)}` : r.label;
    return new ConnectionError(say('core_mx_answered', status, detail), {
      kind: 'server', status: r.status,
    });
  }
  if (r.status < 400 || r.status > 499) {
    return new ConnectionError(say('core_mx_answered_unexpected', status, r.label), {
      kind: 'bad-response', status: r.status,
    });
  }
  // docs/matrix-api.md#uia-challenge: a 401 is UIA only when the body has a flows array.
  if (r.status === 401) {
    const challenge = parseUiaChallenge(r.body);
    if (challenge.ok) {
      const flows = challenge.value.flows.map((f) => f.stages.join(' → ')).join(' | ');
      const failed = challenge.value.errcode === undefined ? undefined : `${codeText(challenge.value.errcode)}${serverText(r.body)}`;
      const message = failed === undefined
        ? (flows === '' ? say('core_mx_uia_required_none', r.label) : say('core_mx_uia_required', r.label, flows))
        : (flows === '' ? say('core_mx_uia_required_none_failed', r.label, failed) : say('core_mx_uia_required_failed', r.label, flows, failed));
      return new UiaRequiredError(message, challenge.value);
    }
  }
  if (typeof errcode === 'string' && errcode !== '') {
    const retry = r.status === 429 ? retryAfterMs(r.headers, r.body, r.nowMs) : undefined;
    const wait = retry === undefined ? undefined : Math.ceil(retry / 1000);
    const softLogout = isJsonObject(r.body) && own(r.body, 'soft_logout') === true;
    const text = serverText(r.body);
    const answer = `${status} ${codeText(errcode)}`;
    // The label with the server's text after a colon is one substitution (as above).
    const message = text === ''
      ? (wait === undefined ? say('core_mx_answered_no_message', answer, r.label) : say('core_mx_answered_no_message_retry', answer, r.label, wait))
      : (wait === undefined ? say('core_mx_answered', answer, `${r.label}:${text}`) : say('core_mx_answered_retry', answer, `${r.label}:${text}`, wait));
    return new MatrixApiError(
      message,
      { status: r.status, errcode, body: r.body, retryAfterMs: retry, softLogout },
    );
  }
  return new ConnectionError(
    say('core_mx_answered_no_errcode', status, r.label),
    { kind: 'server', status: r.status },
  );
}
