/**
 * One HTTP exchange with the homeserver, through the injected `fetch`: timeout, caller abort,
 * capped body, JSON decoding, the error split, and the token kept out of URLs and messages.
 */
import type { Result } from '../result.ts';
import type { FetchLike, FetchLikeResponse } from './fetch-like.ts';
import { ConnectionError, MatrixApiError, UiaRequiredError } from './errors.ts';
import { withinDepth } from './json-guards.ts';
import { readBodyLimited } from './read-body.ts';
import { errorForResponse } from './response-errors.ts';
import { encodePath, encodeQuery } from './url.ts';
import { say } from '../words/say.ts';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** What `onRequest` hears after every exchange; `url` never carries the token. */
export interface RequestReport {
  method: string;
  url: string;
  /** Absent when no response arrived. */
  status?: number;
  ms: number;
}

export interface TransportOptions {
  /** Already normalised by `normaliseBaseUrl`. */
  baseUrl: string;
  fetch: FetchLike;
  getToken: () => Promise<string | undefined>;
  /**
   * After a 401 `M_UNKNOWN_TOKEN` to a request that carried `rejected`: the token to send the
   * request once more with, or undefined to give up. A rejection also gives up.
   */
  onUnknownToken?: ((rejected: string) => Promise<string | undefined>) | undefined;
  timeoutMs: number;
  maxResponseBytes: number;
  onRequest?: ((info: RequestReport) => void) | undefined;
}

/** One request. `path` segments are encoded one by one. */
export interface SendRequest<T> {
  method: HttpMethod;
  path: readonly string[];
  query?: Readonly<Record<string, string>>;
  /** JSON body; `undefined` sends none. */
  body?: unknown;
  /** Send the access token (default true). */
  auth?: boolean;
  signal?: AbortSignal | undefined;
  /** Validate a 2xx body; a failure becomes ConnectionError `bad-response`. */
  parse: (value: unknown) => Result<T>;
  /** Answer `null` instead of throwing on 404 `M_NOT_FOUND`. */
  notFoundAsNull?: boolean;
}

/** `send`: resolves `null` only for requests made with `notFoundAsNull: true`. */
export interface Send {
  <T>(req: SendRequest<T> & { notFoundAsNull: true }): Promise<T | null>;
  <T>(req: SendRequest<T>): Promise<T>;
}

const NOT_JSON: unique symbol = Symbol('NOT_JSON');

/**
 * Bodies nested deeper than this are refused whole. No Matrix response comes near it (signed
 * objects are checked against 16, parse-keys-query.ts), and a deeper value cannot safely go on:
 * the raw JSON is kept for the popup's raw view, and cloning it across the extension's message
 * boundary fails in Chromium ("Could not serialize message") and never answers in Firefox
 * (found with a 100 000-level /keys/query, e2e/hostile-homeserver.test.ts).
 */
export const MAX_JSON_DEPTH = 256;

function decodeJson(bytes: Uint8Array): unknown {
  if (bytes.byteLength === 0) return NOT_JSON;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    // Invalid UTF-8, a truncated or non-JSON body, or a nesting depth the parser refuses.
    return NOT_JSON;
  }
}

function notJsonMessage(label: string, bytes: Uint8Array): string {
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
  const id = bytes.byteLength === 0
    ? 'core_mx_not_json_empty'
    : head.startsWith('<') ? 'core_mx_not_json_html' : 'core_mx_not_json_invalid';
  return say(id, label, bytes.byteLength);
}

/** What went wrong, in the runtime's words; undefined when it said nothing. */
function causeText(cause: unknown): string | undefined {
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause;
  if (!(inner instanceof Error)) return typeof inner === 'string' ? inner : undefined;
  const code: unknown = (inner as Error & { code?: unknown }).code;
  return typeof code === 'string' && !inner.message.includes(code) ? `${inner.message} (${code})` : inner.message;
}

/** Replace every occurrence of the token, however the message was built. */
function redact<E>(error: E, token: string | undefined): E {
  if (token === undefined || !(error instanceof Error)) return error;
  if (error.message.includes(token)) error.message = error.message.split(token).join('[redacted]');
  if (typeof error.stack === 'string' && error.stack.includes(token)) {
    error.stack = error.stack.split(token).join('[redacted]');
  }
  return error;
}

/**
 * Make a `send` function bound to one homeserver.
 * `send` throws MatrixApiError, UiaRequiredError or ConnectionError for every failure of the
 * exchange, and TypeError for bad arguments (bad path segment, bad token, unserialisable body).
 */
export function createTransport(options: TransportOptions): Send {
  // Called unbound: browsers throw "Illegal invocation" when their fetch gets another `this`.
  const fetchFn = options.fetch;
  const now = (): number => globalThis.performance?.now() ?? Date.now();

  /**
   * The request, sent once more after a 401 `M_UNKNOWN_TOKEN` with the token `onUnknownToken`
   * gives, and never a third time. Resending is safe for every method, writes included: the
   * homeserver checks the access token before it looks at the request (client-server API
   * §Using access tokens: an unrecognised token is refused with 401 `M_UNKNOWN_TOKEN`), so the
   * refused request changed nothing — not even a UIA stage of a key upload, whose `auth` is
   * only evaluated for an authenticated request (§User-Interactive Authentication API). A
   * `soft_logout` answer (§Soft logout) is the same refusal: the app in the tab may hold a new
   * token by now.
   */
  const send = async <T>(req: SendRequest<T>): Promise<T | null> => {
    const token = req.auth === false ? undefined : await options.getToken();
    try {
      return await exchange(req, token);
    } catch (error) {
      const hook = options.onUnknownToken;
      if (token === undefined || hook === undefined || !isUnknownToken(error)) throw error;
      let next: string | undefined;
      try {
        next = await hook(token);
      } catch {
        // No fresh token (tab closed, app signed out): the homeserver's own answer tells.
        throw error;
      }
      if (next === undefined || next === token) throw error;
      try {
        return await exchange(req, next);
      } catch (again) {
        // A hostile server may echo the first token in its second answer.
        throw again instanceof ConnectionError || again instanceof MatrixApiError || again instanceof UiaRequiredError
          ? redact(again, token) : again;
      }
    }
  };

  /** One exchange with `token` in the Authorization header (the one place that sets it). */
  const exchange = async <T>(req: SendRequest<T>, token: string | undefined): Promise<T | null> => {
    const path = encodePath(req.path);
    const url = `${options.baseUrl}${path}${encodeQuery(req.query)}`;
    const label = `${req.method} ${path}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (req.signal?.aborted === true) {
      throw new ConnectionError(say('core_mx_cancelled_before_start', label), { kind: 'aborted' });
    }

    const deadline = startDeadline(options.timeoutMs, req.signal, label);
    const started = now();
    let status: number | undefined;
    try {
      let response: FetchLikeResponse;
      try {
        response = await fetchFn(url, {
          method: req.method, headers, body, signal: deadline.signal,
          // Never follow: a redirect would carry the request (and body) somewhere unvetted.
          redirect: 'error', credentials: 'omit', cache: 'no-store',
        });
      } catch (cause) {
        const why = causeText(cause);
        // The label, a colon and the cause are one substitution (said-again.ts cannot split at a colon).
        throw deadline.error() ?? new ConnectionError(
          why === undefined ? say('core_mx_unreachable_unknown', label) : say('core_mx_unreachable', `${label}: ${why}`), { kind: 'network', cause });
      }
      status = response.status;
      let bytes: Uint8Array;
      try {
        bytes = await readBodyLimited(response, options.maxResponseBytes, label);
      } catch (cause) {
        if (cause instanceof ConnectionError) throw cause;
        const why = causeText(cause);
        throw deadline.error() ?? new ConnectionError(
          why === undefined ? say('core_mx_cut_off_unknown', label) : say('core_mx_cut_off', label, why), { kind: 'bad-response', status, cause });
      }
      const json = decodeJson(bytes);
      if (json !== NOT_JSON && !withinDepth(json, MAX_JSON_DEPTH)) {
        throw new ConnectionError(say('core_mx_too_deep', label, MAX_JSON_DEPTH), { kind: 'bad-response', status });
      }
      if (status >= 200 && status <= 299) {
        if (json === NOT_JSON) {
          throw new ConnectionError(notJsonMessage(label, bytes), { kind: 'bad-response', status });
        }
        const parsed = req.parse(json);
        if (parsed.ok) return parsed.value;
        throw new ConnectionError(say('core_mx_unexpected_answer', `${label}: ${parsed.error}`), { kind: 'bad-response', status });
      }
      const error = errorForResponse({
        label, status, headers: response.headers, body: json === NOT_JSON ? undefined : json, nowMs: Date.now(),
      });
      if (req.notFoundAsNull === true && isNotFound(error)) return null;
      throw error;
    } catch (error) {
      const ours = error instanceof ConnectionError || error instanceof MatrixApiError
        || error instanceof UiaRequiredError;
      throw ours ? redact(error, token) : error;
    } finally {
      deadline.dispose();
      const ms = now() - started;
      report(options.onRequest, { method: req.method, url, ...(status === undefined ? {} : { status }), ms });
    }
  };
  return send as Send;
}

/** 401 `M_UNKNOWN_TOKEN` (client-server API §Standard error response), with or without `soft_logout`. */
function isUnknownToken(error: unknown): boolean {
  return error instanceof MatrixApiError && error.status === 401 && error.errcode === 'M_UNKNOWN_TOKEN';
}

/** 404 `M_NOT_FOUND`: "nothing stored here", as opposed to an unknown endpoint (`M_UNRECOGNIZED`). */
function isNotFound(error: Error): boolean {
  return error instanceof MatrixApiError && error.status === 404 && error.errcode === 'M_NOT_FOUND';
}

/**
 * One AbortSignal for fetch and the body read, fired by the timeout or the caller's signal;
 * `error()` says which one fired (or undefined when neither did).
 */
function startDeadline(timeoutMs: number, external: AbortSignal | undefined, label: string) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = (): void => controller.abort();
  external?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    error(): ConnectionError | undefined {
      if (timedOut) {
        return new ConnectionError(
          say('core_mx_timeout', timeoutMs, label), { kind: 'timeout' });
      }
      if (external?.aborted === true) return new ConnectionError(say('core_mx_cancelled', label), { kind: 'aborted' });
      return undefined;
    },
    dispose(): void {
      clearTimeout(timer);
      external?.removeEventListener('abort', onAbort);
    },
  };
}

function report(hook: TransportOptions['onRequest'], info: RequestReport): void {
  if (hook === undefined) return;
  try {
    hook(info);
  } catch {
    // A broken metrics hook must not turn a good answer into a failure.
  }
}
