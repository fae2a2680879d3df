/**
 * The origins a homeserver advertises for its authorization server and account management: the
 * only origins besides its own where a UIA approval page may be opened (auth-page.ts).
 *
 * Read, without the access token, from
 * 1. `GET /_matrix/client/v1/auth_metadata` (client-server API §OAuth 2.0 API, server metadata:
 *    `issuer`, `authorization_endpoint`, `account_management_uri`); 404 `M_UNRECOGNIZED` means the
 *    server does not use the OAuth 2.0 API.
 * 2. only when that advertises nothing: the well-known the homeserver itself serves,
 *    `/.well-known/matrix/client` on its origin (client-server API §Server Discovery), its
 *    `m.authentication` or unstable `org.matrix.msc2965.authentication` (MSC2965: `issuer`,
 *    `account`). Read from the homeserver's origin, not the user ID's server name, so nothing is
 *    sent to any host but the homeserver; either way it is the homeserver's own claim.
 *
 * Both answers are hostile input: size- and time-bounded (the client's transport), redirects not
 * followed, and every value parsed into an origin or dropped. Never throws: a failure means that
 * source advertises nothing.
 */
import { createMatrixClient } from '../matrix/client.ts';
import type { FetchLike } from '../matrix/fetch-like.ts';
import { isJsonObject, own } from '../matrix/json-guards.ts';
import { fail, ok, type Result } from '../result.ts';
import { checkAuthPage, onHomeserverOrigin, pageOrigin, securePageUrl, type AuthPage, type AuthPageRefusal } from './auth-page.ts';
import { say } from '../words/say.ts';

/** Far above any real metadata document (MAS's is ~3 KB). */
const MAX_METADATA_BYTES = 64 * 1024;
const DISCOVERY_TIMEOUT_MS = 10_000;
/** Server metadata fields naming pages the user is sent to (RFC 8414 and MSC4191 names). */
const METADATA_FIELDS = ['issuer', 'authorization_endpoint', 'account_management_uri'] as const;
const WELL_KNOWN_KEYS = ['m.authentication', 'org.matrix.msc2965.authentication'] as const;
const WELL_KNOWN_FIELDS = ['issuer', 'account'] as const;

export type AdvertisedOrigins = {
  origins: string[];
  source: 'auth_metadata' | 'well-known' | 'none';
};

const originsOf = (obj: Record<string, unknown>, fields: readonly string[]): string[] => {
  const out = new Set<string>();
  for (const field of fields) {
    const value = own(obj, field);
    const origin = typeof value === 'string' ? pageOrigin(value) : undefined;
    if (origin !== undefined) out.add(origin);
  }
  return [...out];
};

/** The page origins in an `auth_metadata` answer (fields that are not secure URLs are dropped). */
export function parseAuthMetadata(value: unknown): Result<string[]> {
  if (!isJsonObject(value)) return fail(say('core_eng_auth_metadata_not_object'));
  return ok(originsOf(value, METADATA_FIELDS));
}

/** The page origins in a well-known's authentication section, if any. */
export function parseWellKnownAuth(value: unknown): Result<string[]> {
  if (!isJsonObject(value)) return fail(say('core_eng_well_known_not_object'));
  const out = new Set<string>();
  for (const key of WELL_KNOWN_KEYS) {
    const section = own(value, key);
    if (isJsonObject(section)) for (const o of originsOf(section, WELL_KNOWN_FIELDS)) out.add(o);
  }
  return ok([...out]);
}

/** Ask the homeserver which origins it advertises (see the header). Never throws. */
export async function discoverAuthOrigins(fetchFn: FetchLike, baseUrl: string, signal?: AbortSignal): Promise<AdvertisedOrigins> {
  const read = async (base: string, path: string[], parse: (v: unknown) => Result<string[]>): Promise<string[]> => {
    try {
      // No accessToken: these endpoints need none, and it must not travel where it is not needed.
      const client = createMatrixClient({ baseUrl: base, fetch: fetchFn, timeoutMs: DISCOVERY_TIMEOUT_MS, maxResponseBytes: MAX_METADATA_BYTES });
      return await client.request('GET', path, { auth: false, parse, ...(signal === undefined ? {} : { signal }) });
    } catch {
      // 404 M_UNRECOGNIZED (no OAuth 2.0 API), no well-known, a bad body, no answer: nothing advertised.
      return [];
    }
  };
  let home: URL;
  try {
    home = new URL(baseUrl);
  } catch {
    return { origins: [], source: 'none' };
  }
  const metadata = await read(baseUrl, ['_matrix', 'client', 'v1', 'auth_metadata'], parseAuthMetadata);
  if (metadata.length > 0) return { origins: metadata, source: 'auth_metadata' };
  const wellKnown = await read(home.origin, ['.well-known', 'matrix', 'client'], parseWellKnownAuth);
  if (wellKnown.length > 0) return { origins: wellKnown, source: 'well-known' };
  return { origins: [], source: 'none' };
}

/**
 * Decide whether a UIA page may be opened (auth-page.ts), asking the homeserver for its
 * advertised origins only when the page is not on the homeserver's own origin.
 */
export async function vetAuthPage(
  url: string, baseUrl: string, fetchFn: FetchLike, signal?: AbortSignal,
): Promise<Result<AuthPage, AuthPageRefusal>> {
  const first = securePageUrl(url);
  if (!first.ok) return first;
  if (onHomeserverOrigin(url, baseUrl)) return checkAuthPage(url, baseUrl, []);
  const { origins } = await discoverAuthOrigins(fetchFn, baseUrl, signal);
  return checkAuthPage(url, baseUrl, origins);
}
