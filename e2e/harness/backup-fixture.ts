// Server-side key backup for identity fixtures (docs/matrix-api.md#key-backup): a Curve25519 key pair, a backup
// version whose auth_data is signed by the master key and/or a device, and re-signing after a reset.
import { randomBytes } from 'node:crypto';
import { curve25519PublicKey, encodeBase64, signJson, v3, type Ed25519, type wire } from '../../src/core/index.ts';
import {
  clientFor, fixtureEd25519, type BackupFixture, type FixtureDevice, type KeyPair, type Session,
} from './fixture-common.ts';
import { registerPrivateKey } from './secrets-registry.ts';

export const BACKUP_ALGORITHM = 'm.megolm_backup.v1.curve25519-aes-sha2';

/** Who signs `auth_data`: the master (`ed25519:<master pub>`) and/or a device (`ed25519:<device id>`). */
export type BackupSigners = { master?: KeyPair; device?: FixtureDevice };

/** `{public_key, signatures}` signed by each given signer (none → no `signatures` member). */
export async function signedBackupAuthData(
  userId: string,
  publicKey: string,
  signers: BackupSigners,
  ed?: Ed25519,
): Promise<wire.KeyBackupAuthData> {
  const backend = ed ?? (await fixtureEd25519());
  let authData: wire.KeyBackupAuthData = { public_key: publicKey };
  if (signers.master) {
    authData = await signJson(authData, { entity: userId, keyId: `ed25519:${signers.master.publicKey}`, seed: signers.master.seed }, backend);
  }
  if (signers.device) {
    const d = signers.device;
    authData = await signJson(authData, { entity: userId, keyId: `ed25519:${d.deviceId}`, seed: d.ed25519.seed }, backend);
  }
  return authData;
}

/**
 * POST /room_keys/version with a new (or given) Curve25519 private key; `auth_data` signed by
 * `signers` (typically the master and the session device, as js-sdk does).
 */
export async function createKeyBackup(
  session: Session,
  signers: BackupSigners,
  opts: { privateKey?: Uint8Array; ed?: Ed25519 } = {},
): Promise<BackupFixture> {
  const privateKey = opts.privateKey ?? new Uint8Array(randomBytes(32));
  registerPrivateKey(privateKey, 'a key-backup private key');
  const publicKey = encodeBase64(curve25519PublicKey(privateKey));
  const authData = await signedBackupAuthData(session.userId, publicKey, signers, opts.ed);
  const res = (await clientFor(session).request('POST', v3('room_keys', 'version'), {
    body: { algorithm: BACKUP_ALGORITHM, auth_data: authData },
  })) as { version?: unknown };
  if (typeof res.version !== 'string') throw new Error(`createKeyBackup: no version in ${JSON.stringify(res)}`);
  return { version: res.version, privateKey, publicKey };
}

/** PUT /room_keys/version/{v}: replace `auth_data` with one signed by exactly `signers`. */
export async function resignKeyBackup(
  session: Session,
  backup: BackupFixture,
  signers: BackupSigners,
  opts: { ed?: Ed25519 } = {},
): Promise<void> {
  const authData = await signedBackupAuthData(session.userId, backup.publicKey, signers, opts.ed);
  await clientFor(session).request('PUT', v3('room_keys', 'version', backup.version), { body: {
    algorithm: BACKUP_ALGORITHM, auth_data: authData, version: backup.version,
  } });
}
