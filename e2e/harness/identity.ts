// Identity fixtures: build a Synapse account whose cross-signing identity is healthy or broken in
// exactly one of the ways users report (docs/design.md#reported-breakages), through the real client-server API and
// the project's core crypto. Building blocks live in the sibling *-fixture.ts / device-keys.ts
// files and are re-exported here.
import { randomBytes } from 'node:crypto';
import { MatrixApiError } from '../../src/core/index.ts';
import { createKeyBackup, resignKeyBackup } from './backup-fixture.ts';
import { generateCrossSigningKeys, uploadCrossSigningKeys } from './cross-signing-fixture.ts';
import { crossSignDevices, queryOwnKeys, uploadDeviceKeys } from './device-keys.ts';
import {
  clientFor, DEFAULT_KEY_TYPE, fixtureEd25519, keyDescriptionType, mapLimit, SECRET_NAMES,
  type BackupFixture, type CrossSigningKeys, type FixtureDevice, type SecretStorageFixture,
} from './fixture-common.ts';
import {
  backupSecret, createSecretStorageKey, crossSigningSecrets, putSecretStorageKey, storeSecrets,
} from './secret-storage-fixture.ts';
import { createDevices, registerUser, type DeviceLogin, type TestUser } from './users.ts';

export * from './fixture-common.ts';
export * from './device-keys.ts';
export * from './cross-signing-fixture.ts';
export * from './secret-storage-fixture.ts';
export * from './backup-fixture.ts';

export type FixtureAccount = {
  /** Its deviceId/accessToken are the "session" device (devices[0]). */
  user: TestUser;
  /** ALL devices with uploaded keys, session device first. */
  devices: FixtureDevice[];
  /** The CURRENT published keys. */
  crossSigning?: CrossSigningKeys;
  /** The keys published before the reset ('master-replaced' only). */
  previousCrossSigning?: CrossSigningKeys;
  /** The never-published keys whose seeds secret storage holds ('secrets-mismatch' only). */
  unpublishedCrossSigning?: CrossSigningKeys;
  /** The DEFAULT (or, for 'no-default-key', the only) secret-storage key. */
  secretStorage?: SecretStorageFixture;
  /** The non-default key holding the cross-signing secrets ('secrets-non-default-key' only). */
  otherSecretStorage?: SecretStorageFixture;
  backup?: BackupFixture;
};

export const FIXTURE_STATES = [
  'healthy',
  'no-cross-signing',
  'devices-not-cross-signed',
  'master-replaced',
  'secrets-missing',
  'secrets-non-default-key',
  'secrets-mismatch',
  'no-default-key',
  'backup-key-missing',
  'backup-not-signed-by-master',
] as const;
export type FixtureState = (typeof FIXTURE_STATES)[number];

export type BuildAccountOptions = {
  /** Total devices including the session device; default 2. */
  devices?: number;
  /** Derive the default secret-storage key from this passphrase (m.pbkdf2, FIXTURE_PBKDF2_ITERATIONS). */
  passphrase?: string;
  /** Parallel logins / key uploads. Default 8. */
  concurrency?: number;
};

/**
 * Register a fresh user and give it an identity in `state`: 'healthy', or healthy minus or plus
 * exactly one fault:
 *
 * healthy: every device has keys and an SSK signature; the session device also signed the master;
 *   master/SSK/USK published in one upload; 4S key (default) holds all four secrets; backup whose
 *   auth_data is signed by the master and the session device.
 * no-cross-signing: device keys only — no cross-signing keys, no 4S, no backup.
 * devices-not-cross-signed: healthy, but only the session device carries an SSK signature; every
 *   other device has none (needs devices >= 2).
 * master-replaced: healthy, then a new master/SSK/USK uploaded (password UIA), the three 4S
 *   secrets rewritten with the new seeds, backup re-signed by the new master + session device;
 *   devices keep only their OLD-SSK signatures, nothing signs the new master.
 * secrets-missing: healthy minus the three m.cross_signing.* secrets (never written).
 * secrets-non-default-key: two 4S keys; the default one holds only m.megolm_backup.v1, the other
 *   (non-default) one holds the three cross-signing secrets.
 * secrets-mismatch: 4S holds seeds of a second, never-published key set.
 * no-default-key: healthy minus m.secret_storage.default_key (never written).
 * backup-key-missing: healthy minus m.megolm_backup.v1 (never written).
 * backup-not-signed-by-master: healthy, but backup auth_data is signed by the session device only.
 */
export async function buildAccount(
  hs: { baseUrl: string; registrationSharedSecret: string },
  state: FixtureState,
  opts: BuildAccountOptions = {},
): Promise<FixtureAccount> {
  if (!FIXTURE_STATES.includes(state)) throw new RangeError(`unknown fixture state ${JSON.stringify(state)}`);
  const total = opts.devices ?? 2;
  if (!Number.isSafeInteger(total) || total < 1) throw new RangeError('opts.devices must be a positive integer');
  if (state === 'devices-not-cross-signed' && total < 2) {
    throw new RangeError("'devices-not-cross-signed' needs devices >= 2 (the session device stays cross-signed)");
  }
  const concurrency = opts.concurrency ?? 8;
  const ed = await fixtureEd25519();

  const user = await registerUser(hs);
  const extra = total > 1 ? await createDevices(hs, user, total - 1, { concurrency }) : [];
  const logins: DeviceLogin[] = [{ deviceId: user.deviceId, accessToken: user.accessToken }, ...extra];
  const devices = await mapLimit(logins, concurrency, (login) => uploadDeviceKeys(user, login, { ed }));
  const account: FixtureAccount = { user, devices };
  if (state === 'no-cross-signing') return account;
  const session = devices[0]!;

  // Cross-signing: one upload of all three keys (no UIA on a first upload), then signatures.
  const keys = await generateCrossSigningKeys(ed);
  await uploadCrossSigningKeys(user, keys, { ed });
  account.crossSigning = keys;
  const toSign = state === 'devices-not-cross-signed' ? [session.deviceId] : devices.map((d) => d.deviceId);
  await crossSignDevices(user, keys, { deviceIds: toSign, signMasterWith: session, ed });

  // Key backup.
  const backupSigners = state === 'backup-not-signed-by-master' ? { device: session } : { master: keys.master, device: session };
  const backup = await createKeyBackup(user, backupSigners, { privateKey: new Uint8Array(randomBytes(32)), ed });
  account.backup = backup;

  // Secret storage.
  const main = await createSecretStorageKey(opts.passphrase === undefined ? {} : { passphrase: opts.passphrase });
  await putSecretStorageKey(user, main, { makeDefault: state !== 'no-default-key' });
  account.secretStorage = main.fixture;
  let csSecrets: Record<string, string> = crossSigningSecrets(keys);
  if (state === 'secrets-missing') csSecrets = {};
  if (state === 'secrets-mismatch') {
    account.unpublishedCrossSigning = await generateCrossSigningKeys(ed);
    csSecrets = crossSigningSecrets(account.unpublishedCrossSigning);
  }
  const bkSecret = state === 'backup-key-missing' ? {} : backupSecret(backup.privateKey);
  if (state === 'secrets-non-default-key') {
    const other = await createSecretStorageKey({ name: 'other key' });
    await putSecretStorageKey(user, other, { makeDefault: false });
    account.otherSecretStorage = other.fixture;
    await storeSecrets(user, csSecrets, [other.fixture]);
    await storeSecrets(user, bkSecret, [main.fixture]);
  } else {
    await storeSecrets(user, { ...csSecrets, ...bkSecret }, [main.fixture]);
  }

  if (state === 'master-replaced') {
    const next = await generateCrossSigningKeys(ed);
    const upload = await uploadCrossSigningKeys(user, next, { ed });
    if (!upload.uia) throw new Error('master-replaced: Synapse accepted a replacement master without UIA');
    await storeSecrets(user, crossSigningSecrets(next), [main.fixture]);
    await resignKeyBackup(user, backup, { master: next.master, device: session }, { ed });
    account.previousCrossSigning = keys;
    account.crossSigning = next;
  }
  return account;
}

export type ServerState = {
  /** Raw POST /keys/query for the user (all devices). */
  keysQuery: unknown;
  /** Account-data type → content as stored, or null when unset (404). */
  accountData: Record<string, unknown | null>;
  /** Raw GET /room_keys/version (latest), or null when there is none. */
  backup: unknown | null;
};

/**
 * What the server holds for an account, read with the session device's token: /keys/query,
 * account data m.secret_storage.default_key, m.secret_storage.key.<id> for every known key ID
 * (the fixture's keys plus whatever default_key points to) and the four secrets, and the latest
 * backup version.
 */
export async function readServerState(
  hs: { baseUrl: string },
  account: Pick<FixtureAccount, 'user' | 'secretStorage' | 'otherSecretStorage'>,
): Promise<ServerState> {
  const session = { baseUrl: hs.baseUrl, userId: account.user.userId, accessToken: account.user.accessToken };
  const client = clientFor(session);
  const get = (type: string) => client.getAccountData(session.userId, type);
  const defaultKey = await get(DEFAULT_KEY_TYPE);
  const keyIds = new Set<string>();
  if (account.secretStorage) keyIds.add(account.secretStorage.keyId);
  if (account.otherSecretStorage) keyIds.add(account.otherSecretStorage.keyId);
  if (defaultKey && typeof defaultKey['key'] === 'string') keyIds.add(defaultKey['key']);
  const types = [...[...keyIds].map(keyDescriptionType), ...SECRET_NAMES];
  const accountData: Record<string, unknown | null> = { [DEFAULT_KEY_TYPE]: defaultKey };
  const [keysQuery, contents, backup] = await Promise.all([
    queryOwnKeys(session),
    Promise.all(types.map(get)),
    client.request('GET', ['_matrix', 'client', 'v3', 'room_keys', 'version']).catch((error: unknown) => {
      if (error instanceof MatrixApiError && error.status === 404) return null;
      throw error;
    }),
  ]);
  types.forEach((type, i) => { accountData[type] = contents[i] ?? null; });
  return { keysQuery, accountData, backup };
}
