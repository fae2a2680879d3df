/**
 * Whether a page a UIA stage asks us to open (a fallback page, spec client-server API §Fallback;
 * or the `m.oauth` approval page, §OAuth authentication) may be opened at all.
 *
 * Both URLs come from the homeserver (the approval URL straight from `params`), and the homeserver
 * is not trusted: a `javascript:`/`data:` URL, a plain-http page an attacker on the path can
 * rewrite, or a look-alike origin must never be opened by the extension. The page may be opened
 * only when it is
 * - `https:` (plain `http:` only on a loopback host: a local test or development server), with
 *   no user name or password in the URL (`https://hs.example@evil.example/` is evil.example);
 * - on the homeserver's own origin, or on an origin the homeserver advertises for its
 *   authorization server / account management (auth-origins.ts).
 * Anything else is shown as text only, with the reason.
 */
import { fail, ok, type Result } from '../result.ts';
import { say } from '../words/say.ts';

/** Longer than any real account-management URL; a longer one is refused without parsing. */
export const MAX_AUTH_PAGE_URL = 2048;

export type AuthPage = {
  /** The URL as the browser will load it (the parser's serialisation). */
  url: string;
  /** e.g. `https://account.example.org` */
  origin: string;
  /**
   * What to show the user on the button: the host (with the port when not the default). Always
   * ASCII: an internationalised name is shown in its punycode form (`xn--…`), so a look-alike
   * of another name cannot pass for it.
   */
  host: string;
};

export type AuthPageRefusal = {
  code: 'malformed' | 'too-long' | 'scheme' | 'credentials' | 'insecure' | 'origin';
  /** One sentence for the user. */
  reason: string;
};

/** localhost, 127.0.0.0/8 and [::1]: the only hosts where plain http is accepted. */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  // The URL parser has already normalised IPv4 forms (`127.1`, `0x7f.0.0.1`) to dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function parse(raw: string): Result<URL, AuthPageRefusal> {
  if (raw.length > MAX_AUTH_PAGE_URL) {
    return fail({ code: 'too-long', reason: say('core_eng_auth_page_too_long', raw.length, MAX_AUTH_PAGE_URL) });
  }
  try {
    return ok(new URL(raw));
  } catch {
    return fail({ code: 'malformed', reason: say('core_eng_auth_page_malformed') });
  }
}

/** Parse a URL that is acceptable as an auth page or an advertised origin, ignoring where it is. */
export function securePageUrl(raw: string): Result<URL, AuthPageRefusal> {
  const parsed = parse(raw);
  if (!parsed.ok) return parsed;
  const url = parsed.value;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return fail({ code: 'scheme', reason: say('core_eng_auth_page_scheme', url.protocol.slice(0, 20)) });
  }
  if (url.username !== '' || url.password !== '') {
    return fail({ code: 'credentials', reason: say('core_eng_auth_page_credentials') });
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return fail({ code: 'insecure', reason: say('core_eng_auth_page_insecure') });
  }
  return ok(url);
}

/** The origin of `raw` if it could itself be an auth page's origin, else undefined. */
export function pageOrigin(raw: string): string | undefined {
  const url = securePageUrl(raw);
  return url.ok ? url.value.origin : undefined;
}

/**
 * Check one page URL against the homeserver and the origins it advertises.
 * @param homeserver - The session's homeserver base URL.
 * @param advertised - Origins from the homeserver's auth metadata or well-known (already checked
 *   with {@link pageOrigin}).
 */
export function checkAuthPage(raw: string, homeserver: string, advertised: readonly string[]): Result<AuthPage, AuthPageRefusal> {
  const checked = securePageUrl(raw);
  if (!checked.ok) return checked;
  const url = checked.value;
  const home = parse(homeserver);
  const allowed = new Set(advertised);
  if (home.ok) allowed.add(home.value.origin);
  if (!allowed.has(url.origin)) {
    return fail({ code: 'origin', reason: say('core_eng_auth_page_origin', url.host) });
  }
  return ok({ url: url.href, origin: url.origin, host: url.host });
}

/** Whether `raw` is on the homeserver's own origin (then no discovery is needed). */
export function onHomeserverOrigin(raw: string, homeserver: string): boolean {
  const url = parse(raw);
  const home = parse(homeserver);
  return url.ok && home.ok && url.value.origin === home.value.origin;
}
