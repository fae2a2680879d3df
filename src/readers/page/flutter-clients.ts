/**
 * Names of the Flutter (matrix-dart-sdk) client databases, from the SharedPreferences list the
 * app keeps in localStorage. shared_preferences_web stores every value JSON-encoded under
 * `flutter.<key>`, so a StringList is a JSON array of strings (docs/web-clients.md#flutter-clients).
 */
import { arrayItems } from '../../core/result.ts';
import type { FlutterDbDump } from '../parse/types.ts';

export const FLUTTER_LISTS: readonly { key: string; app: FlutterDbDump['app'] }[] = [
  { key: 'flutter.im.fluffychat.store.clients', app: 'FluffyChat' },
  { key: 'flutter.registered_matrix_clients', app: 'Commet' },
];

/** At most this many databases are opened per app: the list is page-controlled input. */
export const MAX_FLUTTER_CLIENTS = 16;

export type ClientList = { ok: true; names: string[] } | { ok: false; error: string };

export function parseClientList(raw: string | null | undefined): ClientList {
  if (raw === null || raw === undefined) return { ok: true, names: [] };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    // A broken preference value: say so instead of guessing names.
    return { ok: false, error: 'is not valid JSON' };
  }
  if (!Array.isArray(value)) return { ok: false, error: 'is not a JSON list' };
  const names = [...new Set(arrayItems(value).filter((n): n is string => typeof n === 'string' && n !== ''))];
  if (value.length > 0 && names.length === 0) return { ok: false, error: 'holds no client names' };
  return { ok: true, names: names.slice(0, MAX_FLUTTER_CLIENTS) };
}
