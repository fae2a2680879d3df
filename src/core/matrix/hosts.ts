/**
 * Hosts and origins of URLs, with no words of their own: the popup imports these, and so must not
 * reach discovery.ts, which says its sentences from the catalogue (src/core/words/say.ts) and would
 * bring all of it into the popup's bundle. discovery.ts re-exports them.
 */

/** localhost, 127.0.0.0/8 and [::1]: traffic that never leaves the machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** `host[:port]` of an absolute http(s) URL, or undefined. */
export function hostOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.host : undefined;
  } catch {
    return undefined;
  }
}

/** The origin (scheme, host, port) of a URL; path, query and trailing slashes do not count. */
export function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Plain http to a host off this machine: anyone on the path reads the token and the password. */
export function isInsecureBaseUrl(baseUrl: string): boolean {
  try {
    const u = new URL(baseUrl);
    return u.protocol !== 'https:' && !isLoopbackHost(u.hostname);
  } catch {
    return true;
  }
}
