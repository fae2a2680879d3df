/**
 * Re-signing key-backup `auth_data` with the master key (docs/matrix-api.md#key-backup, docs/matrix-api.md#correct-identity): after a reset
 * the backup is only trusted through the master once `auth_data` carries the NEW master's
 * signature. The body is `{algorithm, auth_data}` for `PUT /room_keys/version/{version}`.
 *
 * Security: signing `auth_data` with the master declares its `public_key` to be the user's own
 * backup key. So we sign only with evidence (spec §Server-side key backups, trust rule): the
 * public key derives from the backup private key (from secret storage or typed by the user), or
 * `auth_data` already carries a valid signature by a key the caller trusts.
 */
import { encodeBase64, tryDecodeBase64 } from '../base64.ts';
import { curve25519PublicKey } from '../curve25519.ts';
import type { Ed25519 } from '../ed25519.ts';
import { isJsonObject, own, setOwn } from '../matrix/json-guards.ts';
import { parseKeyBackupVersion } from '../matrix/parse.ts';
import type { KeyBackupAuthData } from '../matrix/types.ts';
import { fail, ok, type Result } from '../result.ts';
import { signJson, verifyJsonSignature } from '../signing.ts';
import type { PlanError } from './errors.ts';
import { say } from '../words/say.ts';

/** Why we may vouch for the backup's public key. */
export type BackupTrust =
  | { kind: 'backup-key'; privateKey: Uint8Array }
  | { kind: 'signature'; keyId: string; publicKey: string };

export interface ResignedBackup {
  version: string;
  body: { algorithm: string; auth_data: KeyBackupAuthData };
  /** Key IDs of the user's signatures that were dropped as stale master signatures. */
  dropped: string[];
}

/** An ed25519 key ID whose identifier is a 32-byte unpadded base64 public key, not a device ID. */
function looksLikePublicKey(id: string): boolean {
  const bytes = tryDecodeBase64(id);
  return id.length === 43 && bytes.ok && bytes.value.length === 32;
}

async function checkTrust(authData: KeyBackupAuthData, userId: string, trust: BackupTrust, ed: Ed25519): Promise<string | undefined> {
  if (trust.kind === 'backup-key') {
    if (!(trust.privateKey instanceof Uint8Array) || trust.privateKey.length !== 32) return say('core_eng_backup_key_length');
    const derived = encodeBase64(curve25519PublicKey(trust.privateKey));
    return derived === authData.public_key.replace(/=+$/, '') ? undefined : say('core_eng_backup_key_mismatch');
  }
  const publicKey = tryDecodeBase64(trust.publicKey);
  if (!publicKey.ok || typeof trust.keyId !== 'string' || !trust.keyId.startsWith('ed25519:')) return say('core_eng_backup_trusted_malformed');
  const check = await verifyJsonSignature(authData, userId, trust.keyId, publicKey.value, ed);
  return check === 'valid' ? undefined : say('core_eng_backup_not_signed_by', trust.keyId);
}

/**
 * Sign a backup's `auth_data` with the master, dropping the user's stale master signatures
 * (key IDs that look like public keys and are neither a known device nor the master) and
 * keeping everything else: device signatures, other users' signatures, other fields.
 *
 * @param backup - The backup version as from `GET /room_keys/version` (untrusted).
 * @param deviceIds - The user's device IDs (so a device whose ID looks like a key is kept).
 */
export async function resignBackup(input: {
  userId: string; backup: unknown; master: { seed: Uint8Array; publicKey: string };
  deviceIds: readonly string[]; trust: BackupTrust; ed: Ed25519;
}): Promise<Result<ResignedBackup, PlanError>> {
  const parsed = parseKeyBackupVersion(input.backup);
  if (!parsed.ok) return fail({ code: 'bad-input', message: parsed.error });
  const { algorithm, auth_data: authData, version } = parsed.value;
  const distrust = await checkTrust(authData, input.userId, input.trust, input.ed);
  if (distrust !== undefined) return fail({ code: 'untrusted-backup', message: distrust });

  const masterKeyId = `ed25519:${input.master.publicKey}`;
  const dropped: string[] = [];
  const signatures: Record<string, Record<string, string>> = {};
  const existing = own(authData, 'signatures');
  for (const [entity, perKey] of Object.entries(isJsonObject(existing) ? existing : {})) {
    const kept: Record<string, string> = {};
    for (const [keyId, signature] of Object.entries(perKey as Record<string, string>)) {
      const id = keyId.startsWith('ed25519:') ? keyId.slice('ed25519:'.length) : '';
      const stale = entity === input.userId && keyId !== masterKeyId && looksLikePublicKey(id) && !input.deviceIds.includes(id);
      if (stale) dropped.push(keyId);
      else setOwn(kept, keyId, signature);
    }
    if (Object.keys(kept).length > 0) setOwn(signatures, entity, kept);
  }
  const unsignedCopy: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(authData)) if (field !== 'signatures') setOwn(unsignedCopy, field, value);
  setOwn(unsignedCopy, 'signatures', signatures);
  try {
    const signed = await signJson(unsignedCopy, { entity: input.userId, keyId: masterKeyId, seed: input.master.seed }, input.ed);
    return ok({ version, body: { algorithm, auth_data: signed as KeyBackupAuthData }, dropped });
  } catch (error) {
    return fail({ code: 'bad-input', message: say('core_eng_backup_unsignable', error instanceof Error ? error.message : 'error') });
  }
}
