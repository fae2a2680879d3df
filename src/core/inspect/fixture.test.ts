/**
 * Test helper, not a test: a synthetic but REAL account (keys signed with real seeds, secrets
 * really encrypted) as the server would show it, plus ways to turn it into an AccountState or
 * serve it from the fake homeserver. Named `*.test.ts` so the purity guard and builds skip it.
 */
import type { ServerResponse } from 'node:http';
import { encodeBase64 } from '../base64.ts';
import { curve25519PublicKey } from '../curve25519.ts';
import { nobleEd25519, type Ed25519 } from '../ed25519.ts';
import { encodeRecoveryKey } from '../recovery-key.ts';
import { createSecretStorageKeyDescription, encryptSecret } from '../secret-storage.ts';
import { signJson } from '../signing.ts';
import { sendJson, type RecordedRequest } from '../matrix/fake-homeserver.test.ts';
import {
  buildAccountState, DEFAULT_KEY_TYPE, KEY_DESCRIPTION_PREFIX, referencedKeyIds, SECRET_NAMES,
  type AccountState, type ReadOutcome, type SecretName,
} from './account-state.ts';

export const USER = '@alice:example.org';
export const ed: Ed25519 = nobleEd25519;
export const KEY_ID = 'DEFAULTKEYID';
export const OTHER_KEY_ID = 'OTHERKEYID';
export const BACKUP_ALGORITHM = 'm.megolm_backup.v1.curve25519-aes-sha2';

export const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const pub = async (s: Uint8Array): Promise<string> => encodeBase64(await ed.publicKey(s));

export interface KeySet { master: Uint8Array; ssk: Uint8Array; usk: Uint8Array }
export const KEYS_A: KeySet = { master: seed(1), ssk: seed(2), usk: seed(3) };
export const KEYS_B: KeySet = { master: seed(11), ssk: seed(12), usk: seed(13) };
export const DEVICES: Record<string, Uint8Array> = { DEVICEONE: seed(21), DEVICETWO: seed(22) };
export const SSSS_KEY = seed(31);
export const OTHER_SSSS_KEY = seed(32);
export const BACKUP_PRIVATE = seed(41);
export const RECOVERY_KEY = encodeRecoveryKey(SSSS_KEY);

/** What a homeserver holds: keys/query body, account data (type → content) and the backup. */
export interface ServerView {
  keysQuery: Record<string, Record<string, unknown>>;
  accountData: Map<string, unknown>;
  backup: Record<string, unknown> | null;
}

export async function crossSigningKey(usage: string, s: Uint8Array, signer?: Uint8Array): Promise<Record<string, unknown>> {
  const p = await pub(s);
  const key = { user_id: USER, usage: [usage], keys: { [`ed25519:${p}`]: p } };
  return signer === undefined ? key : signJson(key, { entity: USER, keyId: `ed25519:${await pub(signer)}`, seed: signer }, ed);
}

/** A device's keys, self-signed, optionally signed by `ssk`, with a display name. */
export async function deviceKeys(deviceId: string, s: Uint8Array, ssk?: Uint8Array, name?: string): Promise<Record<string, unknown>> {
  const p = await pub(s);
  let device: Record<string, unknown> = {
    user_id: USER, device_id: deviceId,
    algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
    keys: { [`ed25519:${deviceId}`]: p, [`curve25519:${deviceId}`]: encodeBase64(curve25519PublicKey(s)) },
  };
  device = await signJson(device, { entity: USER, keyId: `ed25519:${deviceId}`, seed: s }, ed);
  if (ssk) device = await signJson(device, { entity: USER, keyId: `ed25519:${await pub(ssk)}`, seed: ssk }, ed);
  return { ...device, unsigned: { device_display_name: name ?? `${deviceId} name` } };
}

export async function identityKeys(keys: KeySet): Promise<Record<string, Record<string, unknown>>> {
  return {
    master_keys: { [USER]: await crossSigningKey('master', keys.master) },
    self_signing_keys: { [USER]: await crossSigningKey('self_signing', keys.ssk, keys.master) },
    user_signing_keys: { [USER]: await crossSigningKey('user_signing', keys.usk, keys.master) },
  };
}

export async function backupVersion(signers: { entity?: string; keyId: string; seed: Uint8Array }[]): Promise<Record<string, unknown>> {
  let authData: Record<string, unknown> = { public_key: encodeBase64(curve25519PublicKey(BACKUP_PRIVATE)) };
  for (const s of signers) authData = await signJson(authData, { entity: s.entity ?? USER, keyId: s.keyId, seed: s.seed }, ed);
  return { algorithm: BACKUP_ALGORITHM, auth_data: authData, count: 42, etag: '7', version: '3' };
}

/** Encrypt `plaintexts` (name → plaintext) under each key and store them as secrets. */
export async function storeSecrets(view: ServerView, plaintexts: Record<string, string>, keys: [string, Uint8Array][]): Promise<void> {
  for (const [name, plaintext] of Object.entries(plaintexts)) {
    const encrypted: Record<string, unknown> = {};
    for (const [keyId, key] of keys) encrypted[keyId] = await encryptSecret(key, name, plaintext);
    view.accountData.set(name, { encrypted });
  }
}

export const secretsOf = (keys: KeySet): Record<string, string> => ({
  'm.cross_signing.master': encodeBase64(keys.master),
  'm.cross_signing.self_signing': encodeBase64(keys.ssk),
  'm.cross_signing.user_signing': encodeBase64(keys.usk),
});

/**
 * A healthy account: master/SSK/USK (set A), two devices signed by the SSK (DEVICEONE also signs
 * the master), a default 4S key holding the four secrets, and a backup signed by master + device.
 */
export async function healthyView(): Promise<ServerView> {
  const ids = await identityKeys(KEYS_A);
  ids.master_keys![USER] = await signJson(ids.master_keys![USER]!, { entity: USER, keyId: 'ed25519:DEVICEONE', seed: DEVICES.DEVICEONE! }, ed);
  const devices: Record<string, unknown> = {};
  for (const [id, s] of Object.entries(DEVICES)) devices[id] = await deviceKeys(id, s, KEYS_A.ssk);
  const view: ServerView = {
    keysQuery: { failures: {}, device_keys: { [USER]: devices }, ...ids },
    accountData: new Map<string, unknown>([
      [DEFAULT_KEY_TYPE, { key: KEY_ID }],
      [`${KEY_DESCRIPTION_PREFIX}${KEY_ID}`, await createSecretStorageKeyDescription(SSSS_KEY, { name: 'm.default' })],
    ]),
    backup: await backupVersion([
      { keyId: `ed25519:${await pub(KEYS_A.master)}`, seed: KEYS_A.master },
      { keyId: 'ed25519:DEVICEONE', seed: DEVICES.DEVICEONE! },
    ]),
  };
  await storeSecrets(view, { ...secretsOf(KEYS_A), 'm.megolm_backup.v1': encodeBase64(BACKUP_PRIVATE) }, [[KEY_ID, SSSS_KEY]]);
  return view;
}

const readOf = (view: ServerView, type: string): ReadOutcome =>
  view.accountData.has(type) ? { status: 'found', raw: structuredClone(view.accountData.get(type)) } : { status: 'absent' };

/** The AccountState fetchAccountState would build from this view (through a JSON round trip). */
export function stateOf(view: ServerView, userId = USER): AccountState {
  const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  const secrets = Object.fromEntries(SECRET_NAMES.map((n) => [n, readOf(view, n)])) as Record<SecretName, ReadOutcome>;
  const defaultKey = readOf(view, DEFAULT_KEY_TYPE);
  const { fetch, skipped } = referencedKeyIds(defaultKey, secrets);
  const state = buildAccountState(userId, {
    keysQuery: json(view.keysQuery),
    defaultKey,
    secrets,
    keyDescriptions: fetch.map((keyId) => ({ keyId, read: readOf(view, `${KEY_DESCRIPTION_PREFIX}${keyId}`) })),
    keyIdsSkipped: skipped,
    backup: view.backup === null ? { status: 'absent' } : { status: 'found', raw: json(view.backup) },
  });
  if (!state.ok) throw new Error(state.error);
  return state.value;
}

/** A fake-homeserver handler answering like Synapse from `view`, after `delayMs`. */
export function serveView(view: ServerView, opts: { delayMs?: number; deviceId?: string } = {}) {
  return (req: RecordedRequest, res: ServerResponse): void => {
    const reply = (status: number, body: unknown) => setTimeout(() => sendJson(res, status, body), opts.delayMs ?? 0);
    const notFound = { errcode: 'M_NOT_FOUND', error: 'Not found' };
    const path = req.path.split('?')[0]!;
    const accountData = /^\/_matrix\/client\/v3\/user\/([^/]+)\/account_data\/([^/]+)$/.exec(path);
    if (req.method === 'POST' && path === '/_matrix/client/v3/keys/query') reply(200, view.keysQuery);
    else if (req.method === 'GET' && path === '/_matrix/client/v3/account/whoami') reply(200, { user_id: USER, device_id: opts.deviceId ?? 'DEVICEONE' });
    else if (req.method === 'GET' && path === '/_matrix/client/v3/room_keys/version') reply(view.backup ? 200 : 404, view.backup ?? notFound);
    else if (req.method === 'GET' && accountData) {
      const type = decodeURIComponent(accountData[2]!);
      reply(view.accountData.has(type) ? 200 : 404, view.accountData.get(type) ?? notFound);
    } else reply(404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
  };
}
