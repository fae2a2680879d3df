/**
 * Element Web and its forks (Element Nightly, SchildiChat Web): localStorage `mx_*` plus the token
 * the page side took from IndexedDB (docs/web-clients.md#element). Pure.
 */
import { empty, makeCandidate, problem, type Parsed } from './candidate.ts';
import { MESSAGES } from './read-errors.ts';
import type { LiveClientDump, PageDump, SessionCandidate } from './types.ts';
import { say } from '../../core/words/say.ts';

const APP = 'Element';

/** An OIDC (next-gen auth) session: its access token is refreshed every few minutes (docs/web-clients.md#element-oidc). */
export function isRotatingElementSession(storage: Record<string, string>): boolean {
  return storage.mx_oidc_token_issuer !== undefined || storage.mx_has_refresh_token === 'true';
}

export function hasElementMarker(storage: Record<string, string>): boolean {
  return storage.mx_user_id !== undefined;
}

export function parseElement(dump: PageDump): Parsed {
  const out = empty();
  const s = dump.storage;
  if (!hasElementMarker(s) || !dump.element) return out;
  const { token } = dump.element;
  const softLogout = s.mx_soft_logout === 'true';
  if (token.kind === 'error') {
    if (token.code === 'no-webcrypto') out.problems.push(problem(APP, MESSAGES.insecure(APP), 'insecure-origin'));
    else if (softLogout) out.problems.push(problem(APP, MESSAGES.softLogout(APP), 'soft-logout'));
    else out.problems.push(problem(APP, say('core_base_element_token_error', token.message)));
    return out;
  }
  if (token.kind === 'none') {
    if (softLogout) out.problems.push(problem(APP, MESSAGES.softLogout(APP), 'soft-logout'));
    else if (s.mx_has_access_token === 'true') {
      out.problems.push(problem(APP, say('core_base_element_token_evicted')));
    } else out.problems.push(problem(APP, say('core_base_element_signed_out')));
    return out;
  }
  const source = token.kind === 'decrypted' ? 'idb-encrypted' : dump.element.from === 'localStorage' ? 'localStorage' : 'idb-plain';
  const c = makeCandidate(APP, {
    homeserver: s.mx_hs_url,
    userId: s.mx_user_id,
    deviceId: s.mx_device_id,
    accessToken: token.token,
    active: true,
    source,
    rotates: isRotatingElementSession(s),
    softLogout,
  });
  if (typeof c === 'string') out.problems.push(problem(APP, say('core_base_element_unusable', c)));
  else out.candidates.push(c);
  return out;
}

/**
 * Prefer Element's live client (MAIN world) over storage: its token is the current one. It
 * replaces the storage candidate, or stands in for a storage read that failed.
 */
export function mergeLiveClient(parsed: Parsed, live: LiveClientDump | null, storage: Record<string, string>): Parsed {
  if (!live) return parsed;
  const stored = parsed.candidates.find((c) => c.app === APP);
  const c = makeCandidate(APP, {
    homeserver: live.homeserver,
    userId: live.userId,
    deviceId: live.deviceId,
    accessToken: live.accessToken,
    active: true,
    source: 'live-client',
    rotates: isRotatingElementSession(storage),
    softLogout: false,
  });
  if (typeof c === 'string') return parsed;
  const others = parsed.candidates.filter((x) => x !== stored);
  const candidates: SessionCandidate[] = [c, ...others];
  return { candidates, problems: parsed.problems.filter((p) => p.app !== APP) };
}
