/**
 * Hydrogen: `hydrogen_sessions_v1`, a JSON array of sessions (docs/web-clients.md#hydrogen). The active
 * one is in the URL hash (`#/session/<id>/…`), else the most recently used. Pure.
 */
import { empty, isRecord, makeCandidate, parseJson, problem, type Parsed } from './candidate.ts';
import { say } from '../../core/words/say.ts';

/** The session id of a Hydrogen URL hash, e.g. `#/session/1/rooms/…` → `1`. */
export function hydrogenSessionIdFromUrl(href: string): string | undefined {
  const hash = href.includes('#') ? href.slice(href.indexOf('#')) : '';
  const m = /^#\/session\/([^/?#]+)/.exec(hash);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    // A malformed escape: use the raw segment.
    return m[1];
  }
}

export function parseHydrogen(storage: Record<string, string>, href: string): Parsed {
  const out = empty();
  const raw = storage.hydrogen_sessions_v1;
  if (raw === undefined) return out;
  const parsed = parseJson(raw);
  if (!parsed.ok || !Array.isArray(parsed.value)) {
    out.problems.push(problem('Hydrogen', parsed.ok ? say('core_base_hydrogen_list_not_array') : say('core_base_hydrogen_list_not_json')));
    return out;
  }
  const hashId = hydrogenSessionIdFromUrl(href);
  const found: { id: unknown; lastUsed: number; index: number }[] = [];
  parsed.value.forEach((entry, i) => {
    if (!isRecord(entry)) {
      out.problems.push(problem('Hydrogen', say('core_base_hydrogen_entry_not_object', i + 1)));
      return;
    }
    const c = makeCandidate('Hydrogen', {
      // `homeserver` since Aug 2021; older sessions only have `homeServer`.
      homeserver: entry.homeserver ?? entry.homeServer,
      userId: entry.userId,
      deviceId: entry.deviceId,
      accessToken: entry.accessToken,
      source: 'localStorage',
    });
    if (typeof c === 'string') {
      out.problems.push(problem('Hydrogen', say('core_base_hydrogen_entry_unusable', i + 1, c)));
      return;
    }
    found.push({ id: entry.id, lastUsed: typeof entry.lastUsed === 'number' ? entry.lastUsed : -Infinity, index: out.candidates.length });
    out.candidates.push(c);
  });
  if (!found.length) return out;
  const byHash = hashId === undefined ? undefined : found.find((f) => String(f.id) === hashId);
  const active = byHash ?? found.reduce((a, b) => (b.lastUsed > a.lastUsed ? b : a));
  out.candidates[active.index]!.active = true;
  return out;
}
