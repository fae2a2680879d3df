/**
 * Building request URLs: a validated base URL plus path segments that are each
 * percent-encoded, so a user ID like `@a:b` or an account-data type can never change the
 * path's shape.
 */

/**
 * Validate and normalise a homeserver base URL: http(s) only, no credentials, query or
 * fragment; trailing slashes removed; a path prefix (`https://host/matrix`) is kept.
 * @throws {TypeError} if `baseUrl` is not such a URL. The message never echoes the input,
 *   which might carry credentials.
 */
export function normaliseBaseUrl(baseUrl: string): string {
  if (typeof baseUrl !== 'string') throw new TypeError('baseUrl must be a string');
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    // The parser's own message would quote the input.
    throw new TypeError('baseUrl is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`baseUrl must use http: or https:, not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') throw new TypeError('baseUrl must not contain credentials');
  if (url.search !== '' || url.hash !== '') throw new TypeError('baseUrl must not have a query or fragment');
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** The segments of a client-server API v3 endpoint, for {@link encodePath} and MatrixClient.request. */
export const v3 = (...segments: string[]): string[] => ['_matrix', 'client', 'v3', ...segments];

/**
 * `['_matrix', 'client', 'v3', 'user', '@a:b']` → `/_matrix/client/v3/user/%40a%3Ab`.
 * Every segment goes through `encodeURIComponent`.
 * @throws {TypeError} for a segment that is not a string, is empty, or is `.`/`..`
 *   (URL parsers resolve those, even percent-encoded, which would change the path).
 */
export function encodePath(segments: readonly string[]): string {
  if (!Array.isArray(segments) || segments.length === 0) {
    throw new TypeError('path must be a non-empty array of segments');
  }
  return segments
    .map((segment, index) => {
      if (typeof segment !== 'string' || segment === '' || segment === '.' || segment === '..') {
        throw new TypeError(`path segment ${index} must be a non-empty string other than "." and ".."`);
      }
      return `/${encodeURIComponent(segment)}`;
    })
    .join('');
}

/**
 * Encode a query string (`?a=1&b=2`, or `''` when empty).
 * @throws {TypeError} for an `access_token` parameter: the token only ever travels in the
 *   Authorization header (spec v1.11 deprecated query-string tokens, docs/matrix-api.md#spec-changes).
 */
export function encodeQuery(query: Readonly<Record<string, string>> | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key === 'access_token') throw new TypeError('access_token must not be sent in the query string');
    if (typeof value !== 'string') throw new TypeError(`query parameter ${key} must be a string`);
    params.append(key, value);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
