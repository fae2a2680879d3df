/**
 * Cinny (`cinny_*` keys) and Sable-style forks (`matrixSessions` + `matrixActiveSession`),
 * docs/web-clients.md#cinny. Pure.
 */
import { empty, isRecord, makeCandidate, parseJson, problem, type Parsed } from './candidate.ts';
import { UNPARSABLE } from './sanitize.ts';
import { say } from '../../core/words/say.ts';

export function parseCinny(storage: Record<string, string>): Parsed {
  const out = empty();
  if (storage.cinny_access_token === undefined) return out;
  const c = makeCandidate('Cinny', {
    homeserver: storage.cinny_hs_base_url,
    userId: storage.cinny_user_id,
    deviceId: storage.cinny_device_id,
    accessToken: storage.cinny_access_token,
    active: true,
    source: 'localStorage',
  });
  if (typeof c === 'string') out.problems.push(problem('Cinny', say('core_base_cinny_unusable', c)));
  else out.candidates.push(c);
  return out;
}

export function parseSable(storage: Record<string, string>): Parsed {
  const out = empty();
  const raw = storage.matrixSessions;
  if (raw === undefined) return out;
  const parsed = raw === UNPARSABLE ? ({ ok: false } as const) : parseJson(raw);
  if (!parsed.ok) {
    out.problems.push(problem('Sable', say('core_base_sable_list_not_json')));
    return out;
  }
  if (!Array.isArray(parsed.value)) {
    out.problems.push(problem('Sable', say('core_base_sable_list_not_array')));
    return out;
  }
  // matrixActiveSession holds JSON.stringify(userId).
  const activeRaw = storage.matrixActiveSession === undefined ? undefined : parseJson(storage.matrixActiveSession);
  const activeUser = activeRaw?.ok && typeof activeRaw.value === 'string' ? activeRaw.value : undefined;
  parsed.value.forEach((entry, i) => {
    if (!isRecord(entry)) {
      out.problems.push(problem('Sable', say('core_base_sable_entry_not_object', i + 1)));
      return;
    }
    const c = makeCandidate('Sable', {
      homeserver: entry.baseUrl,
      userId: entry.userId,
      deviceId: entry.deviceId,
      accessToken: entry.accessToken,
      active: activeUser !== undefined && entry.userId === activeUser,
      source: 'localStorage',
      // Sessions with an expiry refresh their token (the refresh token itself never left the page).
      rotates: typeof entry.expiresInMs === 'number',
    });
    if (typeof c === 'string') out.problems.push(problem('Sable', say('core_base_sable_entry_unusable', i + 1, c)));
    else out.candidates.push(c);
  });
  // No (valid) active marker: the app uses the first session.
  if (out.candidates.length && !out.candidates.some((c) => c.active)) out.candidates[0]!.active = true;
  return out;
}
