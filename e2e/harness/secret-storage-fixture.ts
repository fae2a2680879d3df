// Secret storage (4S) for identity fixtures: key descriptions, the default-key pointer and
// encrypted secrets in global account data (docs/matrix-api.md#secret-storage), written with the project's core.
import { randomBytes } from 'node:crypto';
import {
  calculateKeyCheck, createSecretStorageKeyDescription, deriveKeyFromPassphrase, encodeBase64, encodeRecoveryKey, encryptSecret,
  MIN_PBKDF2_ITERATIONS_TO_STORE, SECRET_STORAGE_ALGORITHM, v3, type EncryptedSecret, type SecretStorageKeyDescription,
} from '../../src/core/index.ts';
import {
  BACKUP_SECRET_NAME, clientFor, DEFAULT_KEY_TYPE, keyDescriptionType, randomId,
  type CrossSigningKeys, type SecretStorageFixture, type Session,
} from './fixture-common.ts';
import { registerPrivateKey, registerSecret } from './secrets-registry.ts';

/**
 * PBKDF2 iterations of fixture passphrases: the fewest the tool stores secrets under (real
 * clients use 500 000), to keep the fixtures quick.
 */
export const FIXTURE_PBKDF2_ITERATIONS = MIN_PBKDF2_ITERATIONS_TO_STORE;

export type CreatedSecretStorageKey = { fixture: SecretStorageFixture; description: SecretStorageKeyDescription };

/**
 * A new secret-storage key and its `m.secret_storage.key.<id>` content (with key check). With a
 * passphrase the key is PBKDF2-derived and the description carries `{algorithm:'m.pbkdf2', salt,
 * iterations}`; otherwise it is 32 random bytes. Nothing is written to the server.
 *
 * Hostile-homeserver stand-ins (what a hostile or very old server can serve, and what Synapse
 * stores as any client writes it; the tool itself never writes either): `withoutKeyCheck` leaves
 * out `iv`/`mac`, and `iterations` below MIN_PBKDF2_ITERATIONS_TO_STORE (which the core refuses to
 * write) builds the description by hand.
 */
export async function createSecretStorageKey(
  opts: { passphrase?: string; iterations?: number; name?: string; keyId?: string; withoutKeyCheck?: boolean } = {},
): Promise<CreatedSecretStorageKey> {
  const keyId = opts.keyId ?? randomId();
  const name = opts.name ?? keyId;
  const stripped = (d: SecretStorageKeyDescription): SecretStorageKeyDescription => {
    if (opts.withoutKeyCheck !== true) return d;
    const { iv: _iv, mac: _mac, ...rest } = d;
    return rest as SecretStorageKeyDescription;
  };
  if (opts.passphrase === undefined) {
    const key = new Uint8Array(randomBytes(32));
    const description = await createSecretStorageKeyDescription(key, { name });
    return { fixture: registered({ keyId, key, recoveryKey: encodeRecoveryKey(key) }), description: stripped(description) };
  }
  const salt = randomId(32);
  const iterations = opts.iterations ?? FIXTURE_PBKDF2_ITERATIONS;
  const key = await deriveKeyFromPassphrase(opts.passphrase, salt, iterations);
  const description: SecretStorageKeyDescription = iterations >= MIN_PBKDF2_ITERATIONS_TO_STORE
    ? await createSecretStorageKeyDescription(key, { name, passphrase: { salt, iterations } })
    : { algorithm: SECRET_STORAGE_ALGORITHM, name, passphrase: { algorithm: 'm.pbkdf2', salt, iterations }, ...(await calculateKeyCheck(key, new Uint8Array(randomBytes(16)).map((b, i) => (i === 8 ? b & 0x7f : b)))) };
  return { fixture: registered({ keyId, key, recoveryKey: encodeRecoveryKey(key), passphrase: opts.passphrase }), description: stripped(description) };
}

/** The key, its recovery-key form and passphrase go to the leak watch's registry. */
function registered(fixture: SecretStorageFixture): SecretStorageFixture {
  registerPrivateKey(fixture.key, `secret-storage key ${fixture.keyId}`);
  registerSecret('recovery-key', fixture.recoveryKey, `recovery key of ${fixture.keyId}`);
  // A passphrase unlocks the same key, so it is as secret as the recovery key.
  if (fixture.passphrase !== undefined) registerSecret('recovery-key', fixture.passphrase, `passphrase of ${fixture.keyId}`);
  return fixture;
}

/** Write a key description, and optionally point `m.secret_storage.default_key` at it. */
export async function putSecretStorageKey(
  session: Session,
  created: CreatedSecretStorageKey,
  opts: { makeDefault?: boolean } = {},
): Promise<void> {
  const client = clientFor(session);
  const put = (type: string, content: Record<string, unknown>) => client.request('PUT', v3('user', session.userId, 'account_data', type), { body: content });
  await put(keyDescriptionType(created.fixture.keyId), { ...created.description });
  if (opts.makeDefault ?? true) await put(DEFAULT_KEY_TYPE, { key: created.fixture.keyId });
}

/** Secret plaintexts of a cross-signing key set: base64 (unpadded) of each 32-byte seed. */
export function crossSigningSecrets(keys: CrossSigningKeys): Record<string, string> {
  return {
    'm.cross_signing.master': encodeBase64(keys.master.seed),
    'm.cross_signing.self_signing': encodeBase64(keys.selfSigning.seed),
    'm.cross_signing.user_signing': encodeBase64(keys.userSigning.seed),
  };
}

/** The backup secret: base64 (unpadded) of the Curve25519 private key. */
export function backupSecret(privateKey: Uint8Array): Record<string, string> {
  return { [BACKUP_SECRET_NAME]: encodeBase64(privateKey) };
}

/**
 * Write secrets: each becomes `{encrypted: {<keyId>: encryptSecret(key, name, plaintext)}}` for
 * every key given, REPLACING whatever the account data held for that name before.
 */
export async function storeSecrets(
  session: Session,
  secrets: Record<string, string>,
  keys: readonly SecretStorageFixture[],
): Promise<void> {
  if (keys.length === 0) throw new RangeError('storeSecrets: at least one key is needed');
  const client = clientFor(session);
  await Promise.all(Object.entries(secrets).map(async ([name, plaintext]) => {
    const encrypted: Record<string, EncryptedSecret> = {};
    for (const k of keys) encrypted[k.keyId] = await encryptSecret(k.key, name, plaintext);
    await client.request('PUT', v3('user', session.userId, 'account_data', name), { body: { encrypted } });
  }));
}

export type SetupSecretStorageOptions = {
  /** Writes m.cross_signing.master / self_signing / user_signing. */
  crossSigning?: CrossSigningKeys;
  /** Writes m.megolm_backup.v1. */
  backupPrivateKey?: Uint8Array;
  /** Derive the key from this passphrase (m.pbkdf2) instead of random bytes. */
  passphrase?: string;
  iterations?: number;
  /** Set m.secret_storage.default_key to the new key. Default true. */
  makeDefault?: boolean;
  /** Use this (not yet written) key instead of creating one. */
  key?: CreatedSecretStorageKey;
};

/**
 * Complete secret storage in one call: key description, default key (unless `makeDefault:false`)
 * and whichever secrets are given, all under the one key.
 */
export async function setupSecretStorage(session: Session, opts: SetupSecretStorageOptions = {}): Promise<SecretStorageFixture> {
  const created = opts.key ?? (await createSecretStorageKey({
    ...(opts.passphrase === undefined ? {} : { passphrase: opts.passphrase }),
    ...(opts.iterations === undefined ? {} : { iterations: opts.iterations }),
  }));
  await putSecretStorageKey(session, created, { makeDefault: opts.makeDefault ?? true });
  const secrets = {
    ...(opts.crossSigning ? crossSigningSecrets(opts.crossSigning) : {}),
    ...(opts.backupPrivateKey ? backupSecret(opts.backupPrivateKey) : {}),
  };
  if (Object.keys(secrets).length > 0) await storeSecrets(session, secrets, [created.fixture]);
  return created.fixture;
}
