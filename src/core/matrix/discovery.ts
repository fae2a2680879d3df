/**
 * Is this base URL really the homeserver of this user ID? A web page chooses both the user ID it
 * shows and the URL the token (and later the account password) is sent to; only the user ID's
 * server name, resolved the way clients discover homeservers (client-server API §Server
 * Discovery, well-known URI), says which homeserver the account lives on.
 *
 * Pure: `fetch` is injected; the request carries no token, no cookie, and goes only to the
 * server name's own host.
 */
import { fail, isJsonObject, ok, type Result } from '../result.ts';
import type { FetchLike, FetchLikeResponse } from './fetch-like.ts';
import { readBodyLimited } from './read-body.ts';
import { hostOf, isInsecureBaseUrl, isLoopbackHost, originOf } from './hosts.ts';
import { say } from '../words/say.ts';

// Here too for those who import them with discovery (the popup imports hosts.ts: this file says sentences).
export { hostOf, isInsecureBaseUrl, isLoopbackHost, originOf };

/** A server name split into its parts (client-server API §Server Name grammar). */
export type ServerName = { name: string; host: string; port?: number };

/** A well-known answer is a few hundred bytes; anything near this is not one. */
export const WELL_KNOWN_MAX_BYTES = 64 * 1024;
export const WELL_KNOWN_TIMEOUT_MS = 10_000;
const WELL_KNOWN_PATH = '/.well-known/matrix/client';

const DNS_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_LITERAL = /^\[[0-9a-f:.]{2,45}\]$/i;

/** The server name of a user ID (`@localpart:server.name`): everything after the first colon. */
export function serverNameOf(userId: string): Result<ServerName> {
  if (typeof userId !== 'string' || !userId.startsWith('@')) return fail(say('core_mx_user_id_no_at'));
  const colon = userId.indexOf(':');
  if (colon < 2) return fail(say('core_mx_user_id_no_server'));
  return parseServerName(userId.slice(colon + 1));
}

/** `host`, `host:port`, `1.2.3.4:port` or `[::1]:port`, nothing else. */
export function parseServerName(name: string): Result<ServerName> {
  if (name.length === 0 || name.length > 255) return fail(say('core_mx_server_name_length'));
  const m = /^(\[[^\]]*\]|[^:]+)(?::(\d{1,5}))?$/.exec(name);
  if (!m) return fail(say('core_mx_server_name_shape'));
  const host = m[1]!;
  if (!(DNS_NAME.test(host) || IPV4.test(host) || IPV6_LITERAL.test(host))) return fail(say('core_mx_server_host_not_dns'));
  // The URL parser must read the same host: a name it rewrites (`0x7f.1` is 127.0.0.1, `a.0` an
  // invalid IPv4 address) would send the lookup somewhere other than it says.
  let parsedHost: string;
  try {
    parsedHost = new URL(`https://${host}/`).hostname;
  } catch {
    return fail(say('core_mx_server_host_unusable'));
  }
  if (parsedHost !== host.toLowerCase()) return fail(say('core_mx_server_host_not_plain'));
  if (m[2] === undefined) return ok({ name, host: host.toLowerCase() });
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return fail(say('core_mx_server_port_range'));
  return ok({ name, host: host.toLowerCase(), port });
}

/**
 * The scheme for the well-known lookup and the fallback base URL: https, except for a loopback
 * server name with an explicit port (a homeserver on this machine, as in tests), where http is
 * accepted because nothing crosses a network.
 */
const schemeFor = (s: ServerName): 'https' | 'http' => (s.port !== undefined && isLoopbackHost(s.host) ? 'http' : 'https');

/**
 * The outcome of discovery, named after the spec's actions: `found` (the well-known's base URL,
 * or the server name itself after IGNORE on a 404), `fail-prompt` and `fail-error`.
 */
export type Discovery =
  | { kind: 'found'; baseUrl: string; via: 'well-known' | 'server-name' }
  | { kind: 'fail-prompt' | 'fail-error'; reason: string };

/** Parse a well-known body (hostile bytes) into the base URL it names. */
export function parseWellKnown(bytes: Uint8Array): Discovery {
  if (bytes.byteLength === 0) return { kind: 'fail-prompt', reason: say('core_mx_well_known_empty') };
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { kind: 'fail-prompt', reason: say('core_mx_well_known_not_json') };
  }
  if (!isJsonObject(body)) return { kind: 'fail-prompt', reason: say('core_mx_well_known_not_object') };
  const hs = body['m.homeserver'];
  if (!isJsonObject(hs) || typeof hs.base_url !== 'string') {
    return { kind: 'fail-prompt', reason: say('core_mx_well_known_no_base_url') };
  }
  const baseUrl = hs.base_url;
  if (originOf(baseUrl) === undefined) return { kind: 'fail-error', reason: say('core_mx_well_known_bad_base_url') };
  return { kind: 'found', baseUrl, via: 'well-known' };
}

export type DiscoverOptions = { fetch: FetchLike; timeoutMs?: number; maxBytes?: number };

/**
 * GET <scheme>://<server name>/.well-known/matrix/client (client-server API §Server Discovery).
 * The spec's step 2 takes the hostname; the port is kept, as matrix-js-sdk's AutoDiscovery does,
 * so a homeserver on a non-default port can serve its own well-known. A 404 means IGNORE: the
 * server name itself is the homeserver. Redirects are not followed: the request goes to the
 * server name's host and nowhere else.
 */
export async function discoverHomeserver(server: ServerName, opts: DiscoverOptions): Promise<Discovery> {
  const scheme = schemeFor(server);
  const url = `${scheme}://${server.name}${WELL_KNOWN_PATH}`;
  const timeoutMs = opts.timeoutMs ?? WELL_KNOWN_TIMEOUT_MS;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    let res: FetchLikeResponse;
    try {
      // No Authorization header, no cookies: the well-known is public and the token is not its business.
      res = await opts.fetch(url, { method: 'GET', credentials: 'omit', redirect: 'manual', signal: abort.signal });
    } catch {
      return { kind: 'fail-prompt', reason: abort.signal.aborted ? say('core_mx_well_known_timeout', server.name, timeoutMs) : say('core_mx_well_known_unreachable', server.name) };
    }
    if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
      void res.body?.cancel().catch(() => undefined);
      return { kind: 'fail-prompt', reason: say('core_mx_well_known_redirect', server.name) };
    }
    if (res.status === 404) {
      void res.body?.cancel().catch(() => undefined);
      return { kind: 'found', baseUrl: `${scheme}://${server.name}`, via: 'server-name' };
    }
    if (res.status !== 200) {
      void res.body?.cancel().catch(() => undefined);
      return { kind: 'fail-prompt', reason: say('core_mx_well_known_status', server.name, res.status) };
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBodyLimited(res, opts.maxBytes ?? WELL_KNOWN_MAX_BYTES, `GET ${WELL_KNOWN_PATH}`);
    } catch {
      return { kind: 'fail-prompt', reason: abort.signal.aborted ? say('core_mx_well_known_slow', server.name, timeoutMs) : say('core_mx_well_known_too_large', server.name) };
    }
    return parseWellKnown(bytes);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What the extension and the CLI know about a session's homeserver:
 * - `proven`: the user ID's server name resolves to the session's base URL (same origin);
 * - `mismatch`: it resolves to another one — the base URL is not the account's homeserver;
 * - `unverifiable`: discovery failed, so nothing says the base URL is the account's.
 * `insecure`: the base URL is plain http on a host that is not loopback.
 */
export type HomeserverVerdict = (
  | { verdict: 'proven'; serverNameHost: string; baseUrlHost: string }
  | { verdict: 'mismatch'; serverNameHost: string; baseUrlHost: string; discoveredHost: string }
  | { verdict: 'unverifiable'; serverNameHost: string; baseUrlHost: string; reason: string }
) & { insecure: boolean };

/** Check that `baseUrl` is the homeserver `userId`'s server name resolves to. */
export async function checkHomeserver(userId: string, baseUrl: string, opts: DiscoverOptions): Promise<HomeserverVerdict> {
  const baseUrlHost = hostOf(baseUrl) ?? baseUrl;
  const insecure = isInsecureBaseUrl(baseUrl);
  const server = serverNameOf(userId);
  if (!server.ok) return { verdict: 'unverifiable', serverNameHost: userId, baseUrlHost, reason: server.error, insecure };
  const serverNameHost = server.value.name;
  const found = await discoverHomeserver(server.value, opts);
  if (found.kind !== 'found') return { verdict: 'unverifiable', serverNameHost, baseUrlHost, reason: found.reason, insecure };
  if (originOf(found.baseUrl) === originOf(baseUrl)) return { verdict: 'proven', serverNameHost, baseUrlHost, insecure };
  return { verdict: 'mismatch', serverNameHost, baseUrlHost, discoveredHost: hostOf(found.baseUrl) ?? found.baseUrl, insecure };
}

/** May requests that write (or carry the password) go to this homeserver without the person's confirmation? */
export const isTrustedHomeserver = (v: HomeserverVerdict): boolean => v.verdict === 'proven' && !v.insecure;

/** One sentence naming both hosts, for the popup and the CLI's stderr. */
export function describeVerdict(v: HomeserverVerdict): string {
  switch (v.verdict) {
    case 'proven':
      return say(v.insecure ? 'core_mx_verdict_proven_insecure' : 'core_mx_verdict_proven', v.baseUrlHost, v.serverNameHost);
    case 'mismatch':
      return say(v.insecure ? 'core_mx_verdict_mismatch_insecure' : 'core_mx_verdict_mismatch', v.baseUrlHost, v.serverNameHost, v.discoveredHost);
    case 'unverifiable':
      // The server name, a colon and the reason are one substitution: a colon alone between two
      // substitutions would not tell the popup where the name ends (said-again.ts).
      return say(v.insecure ? 'core_mx_verdict_unverifiable_insecure' : 'core_mx_verdict_unverifiable', v.baseUrlHost, `${v.serverNameHost}: ${v.reason}`);
  }
}
