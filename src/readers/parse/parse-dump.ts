/**
 * The background's view of a page dump: check its shape (it comes out of a web page), run every
 * app parser, and return the candidates — the app's current session first — plus the problems.
 * Pure.
 */
import { arrayItems } from '../../core/result.ts';
import { empty, isRecord, type Parsed } from './candidate.ts';
import { parseCinny, parseSable } from './parse-cinny.ts';
import { mergeLiveClient, parseElement } from './parse-element.ts';
import { parseFlutter } from './parse-flutter.ts';
import { parseHydrogen } from './parse-hydrogen.ts';
import type { ElementTokenDump, FlutterDbDump, LiveClientDump, PageDump } from './types.ts';
import { say } from '../../core/words/say.ts';

const isStr = (v: unknown): v is string => typeof v === 'string';

function checkToken(t: unknown): t is ElementTokenDump {
  if (!isRecord(t)) return false;
  if (t.kind === 'none') return true;
  if (t.kind === 'plain' || t.kind === 'decrypted') return isStr(t.token);
  return t.kind === 'error' && isStr(t.code) && isStr(t.message);
}

function checkFlutter(f: unknown): f is FlutterDbDump {
  return isRecord(f) && (f.app === 'FluffyChat' || f.app === 'Commet') && isStr(f.db) && typeof f.exists === 'boolean' && isRecord(f.values) &&
    Object.values(f.values).every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v)) && (f.error === undefined || isStr(f.error));
}

/** The dump, or why it is not one (a sentence with its full stop: said after a colon in read-tab.ts). */
export function validateDump(value: unknown): { ok: true; dump: PageDump } | { ok: false; error: string } {
  if (!isRecord(value) || value.v !== 1) return { ok: false, error: say('core_base_dump_none') };
  const { href, storage, element, flutter, notes } = value;
  if (!isStr(href) || !isRecord(storage) || !Object.values(storage).every(isStr)) return { ok: false, error: say('core_base_dump_no_storage') };
  if (element !== null && !(isRecord(element) && typeof element.idb === 'boolean' && checkToken(element.token))) return { ok: false, error: say('core_base_dump_bad_element') };
  if (!Array.isArray(flutter) || !arrayItems(flutter).every(checkFlutter)) return { ok: false, error: say('core_base_dump_bad_flutter') };
  if (!Array.isArray(notes) || !arrayItems(notes).every(isStr)) return { ok: false, error: say('core_base_dump_bad_notes') };
  return { ok: true, dump: value as PageDump };
}

export function validateLiveClient(value: unknown): LiveClientDump | null {
  if (!isRecord(value)) return null;
  return { userId: value.userId, deviceId: value.deviceId, homeserver: value.homeserver, accessToken: value.accessToken };
}

/** Every session candidate in the dump: deduplicated, the app's current session first. */
export function parseDump(dump: PageDump, live: LiveClientDump | null = null): Parsed {
  const parts: Parsed[] = [
    mergeLiveClient(parseElement(dump), live, dump.storage),
    parseCinny(dump.storage),
    parseSable(dump.storage),
    parseHydrogen(dump.storage, dump.href),
    parseFlutter(dump.flutter),
  ];
  const out = empty();
  const seen = new Set<string>();
  for (const part of parts) {
    for (const c of part.candidates) {
      // A Sable fork migrates cinny_* into matrixSessions: the same session may be listed twice.
      const key = `${c.homeserver}\n${c.userId}\n${c.deviceId}\n${c.accessToken}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.candidates.push(c);
    }
    out.problems.push(...part.problems);
  }
  out.candidates.sort((a, b) => Number(b.active) - Number(a.active));
  return out;
}

/** Should the MAIN-world live client be asked? Only for Element, and only when it helps. */
export function wantsLiveClient(dump: PageDump): boolean {
  if (dump.storage.mx_user_id === undefined) return false;
  const oidc = dump.storage.mx_oidc_token_issuer !== undefined || dump.storage.mx_has_refresh_token === 'true';
  return oidc || dump.element === null || dump.element.token.kind === 'error' || dump.element.token.kind === 'none';
}
