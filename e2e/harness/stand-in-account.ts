/**
 * One account served by the scripted homeserver stand-in (scripted-homeserver.ts): whoami,
 * /keys/query, global account data (GET/PUT), the key backup (GET/PUT) and
 * /keys/signatures/upload, backed by in-memory state.
 *
 * The state is seeded from a REAL Synapse account (buildAccount + readServerState), so every body
 * the extension reads has Synapse's exact shape; only what a test scripts on top differs.
 * Error bodies are Synapse's: 404 `M_NOT_FOUND` for unset account data / no backup, 401
 * `M_UNKNOWN_TOKEN` for a wrong token (docs/matrix-api.md#uia-challenge).
 */
import { allowOrigin } from './allowed-origins.ts';
import type { wire } from '../../src/core/index.ts';
import { buildAccount, readServerState, type FixtureAccount, type FixtureState } from './identity.ts';
import { sendJson, startScriptedHomeserver, type RouteContext, type ScriptedHomeserver } from './scripted-homeserver.ts';

export type StandInAccount = {
  userId: string;
  deviceId: string;
  accessToken: string;
  /** What POST /keys/query answers (mutable: scripts may change it). */
  keysQuery: wire.KeysQueryResponse;
  /** type → content; absent = 404. */
  accountData: Map<string, unknown>;
  /** GET /room_keys/version, or null for 404. */
  backup: unknown | null;
  /** The real account it was seeded from (its recovery key, password…). */
  fixture: FixtureAccount;
};

const V3 = '/_matrix/client/v3';
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Build a real account on Synapse in `state` and snapshot what it serves. */
export async function seedFromSynapse(hs: { baseUrl: string; registrationSharedSecret: string }, state: FixtureState): Promise<StandInAccount> {
  const fixture = await buildAccount(hs, state);
  const server = await readServerState(hs, fixture);
  const accountData = new Map<string, unknown>();
  for (const [type, content] of Object.entries(server.accountData)) if (content !== null) accountData.set(type, content);
  return {
    userId: fixture.user.userId,
    deviceId: fixture.user.deviceId,
    accessToken: fixture.user.accessToken,
    keysQuery: structuredClone(server.keysQuery) as wire.KeysQueryResponse,
    accountData,
    backup: server.backup,
    fixture,
  };
}

/** 401 M_UNKNOWN_TOKEN unless the request carries the account's token; true when it does. */
export function authorised(ctx: RouteContext, account: StandInAccount): boolean {
  if (ctx.req.headers.authorization === `Bearer ${account.accessToken}`) return true;
  sendJson(ctx.res, 401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.', soft_logout: false });
  return false;
}

/** A new stand-in serving a new account seeded from Synapse (the caller closes `hs`). */
export async function standInWith(
  synapse: { baseUrl: string; registrationSharedSecret: string }, state: FixtureState,
): Promise<{ hs: ScriptedHomeserver; account: StandInAccount }> {
  const hs = await startScriptedHomeserver();
  try {
    const account = await seedFromSynapse(synapse, state);
    serveAccount(hs, account);
    return { hs, account };
  } catch (error) {
    await hs.close();
    throw error;
  }
}

/** Install the account's routes on the stand-in. Later `hs.route` calls override any of them. */
export function serveAccount(hs: ScriptedHomeserver, account: StandInAccount): void {
  // The stand-in impersonates the Synapse the account lives on: its token may go to both.
  allowOrigin(hs.baseUrl, 'homeserver', { frontsFor: account.fixture.user.baseUrl });
  const guarded = (handler: (ctx: RouteContext) => void) => (ctx: RouteContext) => {
    if (authorised(ctx, account)) handler(ctx);
  };
  hs.route('GET', `${V3}/account/whoami`, guarded(({ res }) =>
    sendJson(res, 200, { user_id: account.userId, device_id: account.deviceId, is_guest: false })));
  hs.route('POST', `${V3}/keys/query`, guarded(({ res }) => sendJson(res, 200, account.keysQuery)));
  const accountDataPath = new RegExp(`^${esc(V3)}/user/([^/]+)/account_data/([^/]+)$`);
  hs.route('GET', accountDataPath, guarded(({ res, params }) => {
    if (params[0] !== account.userId) return sendJson(res, 403, { errcode: 'M_FORBIDDEN', error: 'Cannot get account data for other users.' });
    const content = account.accountData.get(params[1]!);
    if (content === undefined) return sendJson(res, 404, { errcode: 'M_NOT_FOUND', error: 'Account data not found' });
    sendJson(res, 200, content);
  }));
  hs.route('PUT', accountDataPath, guarded(({ req, res, params }) => {
    if (params[0] !== account.userId) return sendJson(res, 403, { errcode: 'M_FORBIDDEN', error: 'Cannot add account data for other users.' });
    account.accountData.set(params[1]!, req.json);
    sendJson(res, 200, {});
  }));
  hs.route('GET', new RegExp(`^${esc(V3)}/room_keys/version(?:/([^/]+))?$`), guarded(({ res }) => {
    if (account.backup === null) return sendJson(res, 404, { errcode: 'M_NOT_FOUND', error: 'No backup found' });
    sendJson(res, 200, account.backup);
  }));
  hs.route('PUT', new RegExp(`^${esc(V3)}/room_keys/version/([^/]+)$`), guarded(({ req, res }) => {
    const body = req.json as Record<string, unknown>;
    if (account.backup !== null) account.backup = { ...(account.backup as object), auth_data: body['auth_data'] };
    sendJson(res, 200, {});
  }));
  hs.route('POST', `${V3}/keys/signatures/upload`, guarded(({ res }) => sendJson(res, 200, { failures: {} })));
}

/** The master/SSK/USK public keys an upload body carries, by field. */
export function uploadedKeys(body: unknown): Record<string, string | undefined> {
  const b = (body ?? {}) as Record<string, { keys?: Record<string, string> } | undefined>;
  const pub = (k: { keys?: Record<string, string> } | undefined) => (k?.keys === undefined ? undefined : Object.values(k.keys)[0]);
  return { master_key: pub(b['master_key']), self_signing_key: pub(b['self_signing_key']), user_signing_key: pub(b['user_signing_key']) };
}

/**
 * Synapse's `has_different_keys` (docs/matrix-api.md#synapse-upload-uia), simplified to the public keys: does the body
 * carry a key that differs from the published one? A body with no keys is "not different".
 */
export function hasDifferentKeys(account: StandInAccount, body: unknown): boolean {
  const me = account.userId;
  const published: Record<string, wire.CrossSigningKey | undefined> = {
    master_key: account.keysQuery.master_keys?.[me],
    self_signing_key: account.keysQuery.self_signing_keys?.[me],
    user_signing_key: account.keysQuery.user_signing_keys?.[me],
  };
  return Object.entries(uploadedKeys(body)).some(([field, key]) =>
    key !== undefined && (published[field] === undefined || Object.values(published[field]!.keys)[0] !== key));
}

/** Publish the keys of an accepted device_signing/upload (what /keys/query answers next). */
export function publishUpload(account: StandInAccount, body: unknown): void {
  const b = body as Record<string, wire.CrossSigningKey | undefined>;
  const me = account.userId;
  const q = account.keysQuery;
  if (b['master_key']) q.master_keys = { ...q.master_keys, [me]: b['master_key'] };
  if (b['self_signing_key']) q.self_signing_keys = { ...q.self_signing_keys, [me]: b['self_signing_key'] };
  if (b['user_signing_key']) q.user_signing_keys = { ...q.user_signing_keys, [me]: b['user_signing_key'] };
}
