/**
 * Read an account's cross-signing, secret-storage and backup state from the homeserver in at
 * most two sequential request waves:
 *
 * 1. in parallel: `POST /keys/query` for the user, the account data
 *    `m.secret_storage.default_key` and the four secrets, and `GET /room_keys/version`;
 * 2. in parallel: the `m.secret_storage.key.<id>` description of every key ID that wave 1
 *    referenced (bounded, see {@link referencedKeyIds}).
 *
 * keys/query is the one required read: without it nothing can be said, so its failure rejects.
 * Every other read is optional, and its failure (404, 403, 5xx, timeout…) is recorded as data.
 */
import { ConnectionError, MatrixApiError, UiaRequiredError } from '../matrix/errors.ts';
import type { MatrixClient } from '../matrix/client.ts';
import { v3 } from '../matrix/url.ts';
import { say } from '../words/say.ts';
import {
  buildAccountState, DEFAULT_KEY_TYPE, KEY_DESCRIPTION_PREFIX, referencedKeyIds, SECRET_NAMES,
  type AccountState, type ReadOutcome, type SecretName,
} from './account-state.ts';

export interface FetchStateOptions {
  /** Cancels every request; the promise then rejects with ConnectionError `aborted`. */
  signal?: AbortSignal;
  /** Milliseconds the homeserver may wait for remote servers in keys/query. */
  keysQueryTimeoutMs?: number;
}

function describeFailure(error: MatrixApiError | ConnectionError | UiaRequiredError): ReadOutcome {
  const failure: { name: string; message: string; status?: number; errcode?: string } = {
    name: error.name, message: error.message,
  };
  if (error.status !== undefined) failure.status = error.status;
  if (error instanceof MatrixApiError) failure.errcode = error.errcode;
  return { status: 'failed', error: failure };
}

/** One optional GET: found / absent (404 `M_NOT_FOUND`) / failed. Rethrows only on abort and bugs. */
async function readOptional(client: MatrixClient, path: string[], signal: AbortSignal, outer?: AbortSignal): Promise<ReadOutcome> {
  try {
    return { status: 'found', raw: await client.request('GET', path, { signal }) };
  } catch (error) {
    if (outer?.aborted === true) throw error;
    if (error instanceof MatrixApiError && error.status === 404 && error.errcode === 'M_NOT_FOUND') {
      return { status: 'absent' };
    }
    if (error instanceof MatrixApiError || error instanceof ConnectionError || error instanceof UiaRequiredError) {
      return describeFailure(error);
    }
    throw error; // TypeError etc.: a programmer error, not server data
  }
}

/**
 * One signal per request, all fired when `outer` fires or when we give up early. (A single
 * shared signal would collect one listener per request and trip Node's listener-leak warning.)
 */
function abortGroup(outer: AbortSignal | undefined) {
  const children: AbortController[] = [];
  let aborted = outer?.aborted === true;
  const abortAll = (): void => {
    aborted = true;
    for (const child of children) child.abort();
  };
  outer?.addEventListener('abort', abortAll, { once: true });
  return {
    signal(): AbortSignal {
      const child = new AbortController();
      if (aborted) child.abort();
      children.push(child);
      return child.signal;
    },
    abortAll,
    dispose: () => outer?.removeEventListener('abort', abortAll),
  };
}

/**
 * Fetch everything the inspector needs about `userId` (normally the session's own user: the
 * homeserver serves account data and backups only to their owner).
 *
 * @param client - A client for the user's homeserver, with their access token.
 * @param userId - The account to inspect.
 * @param opts - Abort signal and keys/query timeout.
 * @returns The raw and parsed state. Optional reads that failed are recorded in it.
 * @throws {TypeError} If `userId` is not a non-empty string.
 * @throws {ConnectionError} If keys/query got no usable answer (including a body whose shape is
 *   unusable as a whole), or if `opts.signal` fired.
 * @throws {MatrixApiError} If keys/query was refused (e.g. 401 `M_UNKNOWN_TOKEN`).
 */
export async function fetchAccountState(
  client: MatrixClient, userId: string, opts: FetchStateOptions = {},
): Promise<AccountState> {
  if (typeof userId !== 'string' || userId === '') throw new TypeError('userId must be a non-empty string');
  const group = abortGroup(opts.signal);
  const outer = opts.signal;
  try {
    // Wave 1. keys/query is the only read allowed to reject; when it does, the others are
    // cancelled (readOptional absorbs their failures) and Promise.all fails fast.
    const body: Record<string, unknown> = { device_keys: { [userId]: [] } };
    if (opts.keysQueryTimeoutMs !== undefined) body['timeout'] = opts.keysQueryTimeoutMs;
    const keysQuery = client.request('POST', v3('keys', 'query'), { body, signal: group.signal() }).catch((error: unknown) => {
      group.abortAll();
      throw error;
    });
    const accountData = (type: string) => readOptional(client, v3('user', userId, 'account_data', type), group.signal(), outer);
    const [keysQueryRaw, defaultKey, backup, ...secretReads] = await Promise.all([
      keysQuery,
      accountData(DEFAULT_KEY_TYPE),
      readOptional(client, v3('room_keys', 'version'), group.signal(), outer),
      ...SECRET_NAMES.map((name) => accountData(name)),
    ]);
    const secrets = Object.fromEntries(SECRET_NAMES.map((name, i) => [name, secretReads[i]!])) as Record<SecretName, ReadOutcome>;

    // Wave 2: the key descriptions, all at once.
    const { fetch, skipped } = referencedKeyIds(defaultKey, secrets);
    const descriptions = await Promise.all(fetch.map((keyId) => accountData(`${KEY_DESCRIPTION_PREFIX}${keyId}`)));

    const state = buildAccountState(userId, {
      keysQuery: keysQueryRaw,
      defaultKey,
      secrets,
      keyDescriptions: fetch.map((keyId, i) => ({ keyId, read: descriptions[i]! })),
      keyIdsSkipped: skipped,
      backup,
    });
    if (!state.ok) {
      throw new ConnectionError(say('core_ins_unexpected_keys_query', state.error), { kind: 'bad-response' });
    }
    return state.value;
  } finally {
    group.dispose();
  }
}
