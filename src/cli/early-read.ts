/**
 * `status --account`'s own keys/query, sent by the entry file before the rest of the CLI is
 * loaded, and handed to the core when it asks for exactly that request.
 *
 * Why: on a large account the homeserver spends tens of milliseconds on that answer (Synapse:
 * about 65 ms at 1 000 devices), and a cold process spends about as long compiling and starting
 * the CLI before its first request. Sent first, the two overlap (docs/design.md#cli-early-read),
 * as the popup starts the account's reads as soon as the token is read.
 *
 * What keeps it safe:
 * - Only for `status` with `--homeserver`, `--account` and a token in `--token` or XSIGN_TOKEN,
 *   parsed by the CLI's own parser and spec; anything else (a usage error, a token file, help)
 *   sends nothing early.
 * - It is the request the core would send, to the same normalised base URL, and read-only. It is
 *   served once, only to a request equal in method, URL, body and token; every other request goes
 *   out as it would have.
 * - The caller's abort signal (the core's timeout) reaches it once served.
 */
import type { FetchLike, FetchLikeInit, FetchLikeResponse } from '../core/matrix/fetch-like.ts';
import type { NodeHttpFetch } from './node-http-fetch.ts';
import { isAccessTokenText, isUserId } from '../core/matrix/ids.ts';
import { encodePath, normaliseBaseUrl, v3 } from '../core/matrix/url.ts';
import { parseCommandArgs } from './args.ts';
import { STATUS_FLAGS } from './status-flags.ts';

interface PlannedRead {
  url: string;
  body: string;
  authorization: string;
}

/** The keys/query `status` will send first, or undefined when nothing may be sent early. */
export function plannedKeysQuery(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): PlannedRead | undefined {
  if (argv[0] !== 'status' || argv.includes('--help') || argv.includes('-h')) return undefined;
  let flags: Record<string, string | boolean>;
  try {
    flags = parseCommandArgs('status', argv.slice(1), STATUS_FLAGS);
  } catch {
    return undefined; // the CLI says what is wrong, having sent nothing
  }
  const { homeserver, account } = flags;
  if (flags['token-file'] !== undefined) return undefined;
  const token = typeof flags.token === 'string' ? flags.token : env.XSIGN_TOKEN;
  if (typeof homeserver !== 'string' || !isUserId(account)) return undefined;
  if (!isAccessTokenText(token)) return undefined;
  let baseUrl: string;
  try {
    baseUrl = normaliseBaseUrl(homeserver);
  } catch {
    return undefined;
  }
  return {
    url: `${baseUrl}${encodePath(v3('keys', 'query'))}`,
    body: JSON.stringify({ device_keys: { [account]: [] } }),
    authorization: `Bearer ${token}`,
  };
}

/** How long the rest of the CLI waits for the early request to leave, at most. */
const SEND_WAIT_MS = 250;

/**
 * `fetch`, having sent `status`'s keys/query already when the command line plans one: the first
 * equal request gets its answer, every other request is fetched as usual. `sent` settles once
 * the early request has left (or failed, or after {@link SEND_WAIT_MS}): Node connects and writes
 * only when its event loop runs, which compiling the rest of the CLI would hold up.
 */
export function withEarlyKeysQuery(
  argv: readonly string[], env: Readonly<Record<string, string | undefined>>, fetch: NodeHttpFetch['fetch'],
): { fetch: FetchLike; sent: Promise<void> } {
  const planned = plannedKeysQuery(argv, env);
  if (planned === undefined) return { fetch, sent: Promise.resolve() };
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let early!: Promise<FetchLikeResponse>;
  const sent = new Promise<void>((resolve) => {
    early = fetch(planned.url, {
      method: 'POST', body: planned.body, signal: abort.signal, redirect: 'error', credentials: 'omit', cache: 'no-store',
      headers: { Accept: 'application/json', Authorization: planned.authorization, 'Content-Type': 'application/json' },
      onSent: resolve,
    });
    early.then(() => resolve(), () => resolve()); // its error goes to the request it is served to, if any
    timer = setTimeout(resolve, SEND_WAIT_MS);
  }).finally(() => clearTimeout(timer));
  let served = false;
  const same = (url: string, init: FetchLikeInit): boolean =>
    init.method === 'POST' && url === planned.url && init.body === planned.body && init.headers?.Authorization === planned.authorization;
  return {
    sent,
    fetch: (url, init) => {
      if (served || !same(url, init)) return fetch(url, init);
      served = true;
      const signal = init.signal;
      if (signal?.aborted === true) abort.abort(signal.reason);
      else signal?.addEventListener('abort', () => abort.abort(signal.reason), { once: true });
      return early;
    },
  };
}
