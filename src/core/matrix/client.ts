/**
 * A small, typed Matrix client-server client for the endpoints the doctor needs.
 * `fetch` is injected (docs/design.md#layers): the core never touches the global one.
 */
import { fail, ok, type Result } from '../result.ts';
import type { FetchLike } from './fetch-like.ts';
import { isAccessTokenText } from './ids.ts';
import { isJsonObject, setOwn } from './json-guards.ts';
import {
  parseKeyBackupVersion, parseKeysQueryResponse, parseVersions,
  parseWhoami, type KeysQueryResult,
} from './parse.ts';
import { createTransport, type HttpMethod, type RequestReport } from './transport.ts';
import type {
  KeyBackupVersion, KeysQueryRequest, VersionsResponse, WhoamiResponse,
} from './types.ts';
import { normaliseBaseUrl, v3 } from './url.ts';
import { say } from '../words/say.ts';

export type { HttpMethod, RequestReport } from './transport.ts';

export interface MatrixClientOptions {
  /** Homeserver base URL (after .well-known discovery), e.g. `https://matrix.example.org`. */
  baseUrl: string;
  /** The fetch to use, injected by the platform entry point (the core never uses the global one). */
  fetch: FetchLike;
  /** The token, or a function asked before every request (so a refreshed token is picked up). */
  accessToken?: string | (() => string | Promise<string>);
  /**
   * Asked after a 401 `M_UNKNOWN_TOKEN` (with or without `soft_logout`) to a request that carried
   * the token `rejected`: resolve to a new token and the request is sent once more with it (once:
   * a second M_UNKNOWN_TOKEN is thrown). Resolve undefined, the same token, or reject, and the
   * homeserver's 401 is thrown. Later requests use `accessToken` again, so a token source that
   * should keep the new token is a function reading what the hook stored.
   */
  onUnknownToken?: (rejected: string) => Promise<string | undefined>;
  /** Per request, including reading the body. Default 30 000. */
  timeoutMs?: number;
  /** Cap on a response body. Default 16 MiB. */
  maxResponseBytes?: number;
  /** Not supported: browsers forbid setting User-Agent. */
  userAgent?: never;
  /** Called after every exchange, e.g. to count request waves. Exceptions are ignored. */
  onRequest?: (info: RequestReport) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface QueryKeysOptions extends CallOptions {
  /** Milliseconds the homeserver may wait for remote servers. */
  timeout?: number;
}

export interface RawRequestOptions extends CallOptions {
  body?: unknown;
  query?: Readonly<Record<string, string>>;
  /** Send the access token (default true). */
  auth?: boolean;
}

/**
 * A client bound to one homeserver and one session. Every method rejects with:
 * @throws {MatrixApiError} 4xx with a Matrix `errcode` (404 `M_NOT_FOUND` is `null` where noted).
 * @throws {UiaRequiredError} 401 with a UIA challenge (in practice device_signing/upload).
 * @throws {ConnectionError} no answer, timeout, abort, 5xx, 4xx without errcode, bad or oversized body.
 * @throws {TypeError} bad arguments: an empty, `.` or `..` path segment, a malformed token.
 */
export interface MatrixClient {
  readonly baseUrl: string;
  /** @see https://spec.matrix.org/v1.18/client-server-api/#get_matrixclientversions */
  versions(opts?: CallOptions): Promise<VersionsResponse>;
  /** @see https://spec.matrix.org/v1.18/client-server-api/#get_matrixclientv3accountwhoami */
  whoami(opts?: CallOptions): Promise<WhoamiResponse>;
  /** @see https://spec.matrix.org/v1.18/client-server-api/#post_matrixclientv3keysquery */
  queryKeys(userIds: readonly string[], opts?: QueryKeysOptions): Promise<KeysQueryResult>;
  /**
   * The content as received (untrusted), or `null` when unset (404 `M_NOT_FOUND`).
   * @see https://spec.matrix.org/v1.18/client-server-api/#get_matrixclientv3useruseridaccount_datatype
   */
  getAccountData(userId: string, type: string, opts?: CallOptions): Promise<Record<string, unknown> | null>;
  /**
   * The given (or latest) backup, or `null` when there is none (404 `M_NOT_FOUND`).
   * @see https://spec.matrix.org/v1.18/client-server-api/#get_matrixclientv3room_keysversion
   */
  getKeyBackupVersion(version?: string, opts?: CallOptions): Promise<KeyBackupVersion | null>;
  /**
   * Any endpoint; each `path` segment is percent-encoded. Without `parse` the JSON is `unknown`.
   * Writes go through here only, with the exact path and body a repair plan shows (execute.ts);
   * a write to device_signing/upload may reject with UiaRequiredError (docs/matrix-api.md#synapse-upload-uia).
   */
  request<T>(
    method: HttpMethod, path: readonly string[],
    opts: RawRequestOptions & { parse: (value: unknown) => Result<T> }): Promise<T>;
  request(method: HttpMethod, path: readonly string[], opts?: RawRequestOptions): Promise<unknown>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const MAX_TIMER_MS = 2_147_483_647;

const anyJson = (value: unknown): Result<unknown> => ok(value);
const jsonObject = (value: unknown): Result<Record<string, unknown>> =>
  isJsonObject(value) ? ok(value) : fail(say('core_mx_body_not_object'));

/** @throws {TypeError} unless `token` is a non-empty string of visible ASCII (it goes in a header). */
function checkToken(token: unknown): string {
  if (!isAccessTokenText(token)) {
    throw new TypeError('accessToken must be a non-empty string of visible ASCII characters');
  }
  return token;
}

function checkOptions(o: MatrixClientOptions): { timeoutMs: number; maxResponseBytes: number } {
  if (typeof o.fetch !== 'function') throw new TypeError('fetch must be a function');
  if (o.userAgent !== undefined) throw new TypeError('userAgent is not supported (browsers forbid setting it)');
  if (typeof o.accessToken === 'string') checkToken(o.accessToken);
  else if (o.accessToken !== undefined && typeof o.accessToken !== 'function') {
    throw new TypeError('accessToken must be a string or a function');
  }
  if (o.onUnknownToken !== undefined && typeof o.onUnknownToken !== 'function') {
    throw new TypeError('onUnknownToken must be a function');
  }
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) {
    throw new RangeError(`timeoutMs must be between 1 and ${MAX_TIMER_MS}`);
  }
  const maxResponseBytes = o.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes <= 0) {
    throw new RangeError('maxResponseBytes must be a positive integer');
  }
  return { timeoutMs, maxResponseBytes };
}

/**
 * Create a client for one homeserver and one session.
 * @throws {TypeError} for a baseUrl that is not http(s), a non-function fetch, a malformed token.
 * @throws {RangeError} for a timeoutMs or maxResponseBytes out of range.
 */
export function createMatrixClient(options: MatrixClientOptions): MatrixClient {
  const baseUrl = normaliseBaseUrl(options.baseUrl);
  const { timeoutMs, maxResponseBytes } = checkOptions(options);
  const source = options.accessToken;
  const getToken = async (): Promise<string | undefined> =>
    source === undefined ? undefined : checkToken(typeof source === 'function' ? await source() : source);
  const hook = options.onUnknownToken;
  // A malformed token from the hook rejects here, which gives up like any failed hook.
  const onUnknownToken = hook === undefined ? undefined : async (rejected: string) => {
    const next = await hook(rejected);
    return next === undefined ? undefined : checkToken(next);
  };
  const send = createTransport({
    baseUrl, fetch: options.fetch, getToken, onUnknownToken, timeoutMs, maxResponseBytes, onRequest: options.onRequest,
  });
  type Parse<T> = (value: unknown) => Result<T>;
  const call = <T>(method: HttpMethod, path: string[], parse: Parse<T>, opts?: CallOptions, body?: unknown) =>
    send({ method, path, parse, body, signal: opts?.signal });
  /** For reads where 404 `M_NOT_FOUND` means "nothing stored". */
  const read = <T>(path: string[], parse: Parse<T>, opts?: CallOptions) =>
    send({ method: 'GET', path, parse, signal: opts?.signal, notFoundAsNull: true });

  const request = <T>(
    method: HttpMethod, path: readonly string[], opts: RawRequestOptions & { parse?: Parse<T> } = {},
  ) =>
    send({
      method, path, body: opts.body, signal: opts.signal, parse: opts.parse ?? anyJson,
      ...(opts.query === undefined ? {} : { query: opts.query }),
      ...(opts.auth === undefined ? {} : { auth: opts.auth }),
    });

  return {
    baseUrl,
    // Unauthenticated: no reason to hand the token over before we know this is a homeserver.
    versions: (opts) =>
      send({
        method: 'GET', path: ['_matrix', 'client', 'versions'], auth: false, signal: opts?.signal, parse: parseVersions,
      }),
    whoami: (opts) => call('GET', v3('account', 'whoami'), parseWhoami, opts),
    queryKeys: async (userIds, opts) => {
      if (!Array.isArray(userIds) || !userIds.every((id) => typeof id === 'string' && id !== '')) {
        throw new TypeError('userIds must be an array of non-empty strings');
      }
      const deviceKeys: KeysQueryRequest['device_keys'] = {};
      for (const id of userIds) setOwn(deviceKeys, id, []); // [] = all devices
      const body: KeysQueryRequest = { device_keys: deviceKeys };
      if (opts?.timeout !== undefined) body.timeout = opts.timeout;
      return call('POST', v3('keys', 'query'), parseKeysQueryResponse, opts, body);
    },
    getAccountData: (userId, type, opts) => read(v3('user', userId, 'account_data', type), jsonObject, opts),
    getKeyBackupVersion: (version, opts) => read(
      version === undefined ? v3('room_keys', 'version') : v3('room_keys', 'version', version),
      parseKeyBackupVersion, opts),
    request: request as MatrixClient['request'],
  };
}
