/**
 * FluffyChat and Commet web (matrix-dart-sdk): one IndexedDB per client, store `box_client`,
 * plain string values (docs/web-clients.md#flutter-clients). The page side read the values; this is pure.
 */
import { empty, makeCandidate, problem, type Parsed } from './candidate.ts';
import type { FlutterDbDump } from './types.ts';
import { say } from '../../core/words/say.ts';

export function parseFlutter(dbs: readonly FlutterDbDump[]): Parsed {
  const out = empty();
  for (const db of dbs) {
    // A listed client whose database is gone (app data cleared) is simply not a session.
    if (!db.exists) continue;
    if (db.error) {
      out.problems.push(problem(db.app, say('core_base_flutter_db_error', db.app, db.db, db.error)));
      continue;
    }
    const v = db.values;
    if (v.token === undefined || v.token === null) {
      // Logged-out clients keep their database without a token.
      out.problems.push(problem(db.app, say('core_base_flutter_no_token', db.app, db.db)));
      continue;
    }
    const c = makeCandidate(db.app, {
      homeserver: v.homeserver_url,
      userId: v.user_id,
      deviceId: v.device_id,
      accessToken: v.token,
      source: 'indexedDB',
    });
    if (typeof c === 'string') out.problems.push(problem(db.app, say('core_base_flutter_unusable', db.app, db.db, c)));
    else out.candidates.push(c);
  }
  if (out.candidates.length === 1) out.candidates[0]!.active = true;
  return out;
}
