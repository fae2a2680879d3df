/**
 * users_report: the users report (src/core/users/) on a large account built on the benchmark's
 * Synapse. The account owns `rooms` encrypted rooms holding `users` distinct people (users / rooms
 * each, each person in one room), plus one unencrypted public room holding the first 500, which the
 * report must not pay for. People are created with Synapse's admin API (no password hashing, no
 * login) and joined with the admin join API, so 5 000 of them build in minutes; they publish no
 * keys, so keys/query answers are small (a real account's answers carry devices: the request count
 * and waves are what this measures, the time is for orientation).
 */
import {
  createMatrixClient, inspectAccount, inspectUsers, myKeysFromReport, type MatrixClient, type UsersReport,
} from '../../src/core/index.ts';
import { mapLimit } from '../../e2e/harness/fixture-common.ts';
import { callJson, registerUser } from '../../e2e/harness/users.ts';
import { countWaves, type Interval } from './waves.ts';

export type UsersBenchRow = {
  users: number;
  rooms: number;
  buildSeconds: number;
  /** Waves and requests of inspectUsers alone (my keys taken from the status). */
  waves: number;
  requests: number;
  perWave: Record<string, number>[];
  /** Status and users sent together, as the popup does: waves in all, and after the status's last. */
  togetherWaves: number;
  wavesAfterStatus: number;
  usersMs: number;
  reported: number;
  timelineEvents: number;
};

/** People joined to the unencrypted public room. */
const PUBLIC_ROOM_PEOPLE = 500;

type Hs = { baseUrl: string; registrationSharedSecret: string; serverName: string };

const label = (url: string) => new URL(url).pathname.replace(/^\/_matrix\/client\/v3/, '').replace(/\/rooms\/[^/]+\//, '/rooms/{id}/');

function recorder(baseUrl: string, token: string, log: Interval[], tag: string, bodies?: unknown[]): MatrixClient {
  return createMatrixClient({
    baseUrl, accessToken: token, timeoutMs: 300_000, maxResponseBytes: 256 << 20,
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      if (bodies && String(input).includes('/sync')) bodies.push(await res.clone().json());
      return res;
    },
    onRequest: (info) => {
      const end = performance.now();
      log.push({ start: end - info.ms, end, label: `${tag} ${info.method} ${label(info.url)}` });
    },
  });
}

/** Build the account and measure. `concurrency` bounds the builder's requests. */
export async function measureUsersReport(hs: Hs, users: number, rooms: number, say: (s: string) => void, concurrency = 8): Promise<UsersBenchRow> {
  const t0 = performance.now();
  const me = await registerUser(hs, { admin: true });
  const admin = { token: me.accessToken };
  const ids = Array.from({ length: users }, (_, i) => `@b${Date.now().toString(36)}x${i}:${hs.serverName}`);
  await mapLimit(ids, concurrency, (id) => callJson(hs.baseUrl, 'PUT', `/_synapse/admin/v2/users/${encodeURIComponent(id)}`, { ...admin, body: {} }));
  say(`users: ${users} people created`);
  const create = (encrypted: boolean) => callJson<{ room_id: string }>(hs.baseUrl, 'POST', '/_matrix/client/v3/createRoom', {
    ...admin, body: { preset: 'public_chat', initial_state: encrypted ? [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }] : [] },
  }).then((r) => r.room_id);
  const roomIds = await mapLimit(Array.from({ length: rooms }), concurrency, () => create(true));
  const publicRoom = await create(false);
  // The unencrypted room holds the first 500 people (enough to show it costs nothing, and joins
  // are what building costs).
  const joins = ids.flatMap((id, i) => (i < PUBLIC_ROOM_PEOPLE ? [[roomIds[i % rooms]!, id], [publicRoom, id]] : [[roomIds[i % rooms]!, id]]) as (readonly [string, string])[]);
  await mapLimit(joins, concurrency, ([roomId, id]) =>
    callJson(hs.baseUrl, 'POST', `/_synapse/admin/v1/join/${encodeURIComponent(roomId)}`, { ...admin, body: { user_id: id } }));
  const buildSeconds = (performance.now() - t0) / 1000;
  say(`users: ${rooms} encrypted rooms + 1 public unencrypted room, ${joins.length} joins, built in ${buildSeconds.toFixed(0)} s`);

  // After the status, as the CLI's status --diagnostic does: my keys from the report.
  const status = await inspectAccount(createMatrixClient({ baseUrl: hs.baseUrl, accessToken: me.accessToken, fetch }), { userId: me.userId });
  if (!status.ok) throw new Error(status.error.message);
  const log: Interval[] = [];
  const syncBodies: unknown[] = [];
  const t1 = performance.now();
  const report: UsersReport = await inspectUsers(recorder(hs.baseUrl, me.accessToken, log, 'users', syncBodies),
    { userId: me.userId, keys: myKeysFromReport(status.value.report) });
  const usersMs = performance.now() - t1;
  const alone = countWaves(log);
  const timelineEvents = syncBodies.reduce<number>((n, body) => n + Object.values((body as { rooms?: { join?: Record<string, { timeline?: { events?: unknown[] } }> } }).rooms?.join ?? {})
    .reduce((m, r) => m + (r.timeline?.events?.length ?? 0), 0), 0);

  // Together, as the popup does: readStatus and readUsers sent at once.
  const both: Interval[] = [];
  await Promise.all([
    inspectAccount(recorder(hs.baseUrl, me.accessToken, both, 'status'), { userId: me.userId }),
    inspectUsers(recorder(hs.baseUrl, me.accessToken, both, 'users'), { userId: me.userId }),
  ]);
  const together = countWaves(both);
  const lastStatusWave = Math.max(...together.perWave.map((w, i) => (w.some((l) => l.startsWith('status')) ? i : -1)));
  const perWave = alone.perWave.map((w) => {
    const counts: Record<string, number> = {};
    for (const l of w) counts[l.replace(/^users /, '')] = (counts[l.replace(/^users /, '')] ?? 0) + 1;
    return counts;
  });
  return {
    users, rooms, buildSeconds: Math.round(buildSeconds), waves: alone.waves, requests: alone.requests, perWave,
    togetherWaves: together.waves, wavesAfterStatus: together.waves - 1 - lastStatusWave, usersMs: Math.round(usersMs),
    reported: report.users.length, timelineEvents,
  };
}

export function renderUsersMarkdown(rows: readonly UsersBenchRow[]): string {
  const lines = [
    '| users | encrypted rooms | waves (users alone) | requests | waves after the status (sent together) | users report ms | people reported | timeline events downloaded |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.users} | ${r.rooms} | ${r.waves} | ${r.requests} | ${r.wavesAfterStatus} | ${r.usersMs} | ${r.reported} | ${r.timelineEvents} |`),
  ];
  return `${lines.join('\n')}\n`;
}
