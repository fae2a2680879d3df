/**
 * Checks that need the secret-storage key: the key check of its description (docs/matrix-api.md#secret-storage-key-check),
 * then each secret decrypted (docs/matrix-api.md#secret-encryption) and its public key derived (docs/matrix-api.md#private-key-encoding) and compared with the
 * published one (checklist item 5, docs/matrix-api.md#inspector-checklist). Only "decrypted", the derived public key
 * and the verdict go into the report; the plaintexts stay in this file, or in the caller's
 * unlocked view (`SecretDecryptions`) when a repair will need them again.
 */
import { encodeBase64, tryDecodeBase64 } from '../base64.ts';
import { curve25519PublicKey } from '../curve25519.ts';
import type { Ed25519 } from '../ed25519.ts';
import { decryptSecret, SecretStorageError, verifyKeyCheck } from '../secret-storage.ts';
import type { EncryptedSecret } from '../matrix/types.ts';
import type { SecretDecryptions } from '../secret-decryptions.ts';
import type { AccountState } from './account-state.ts';
import { problem, repairForRole, type Problem } from './problems.ts';
import type { SecretCheck, SecretStorageReport } from './report-types.ts';
import { SECRET_WORDS } from './secret-storage-checks.ts';
import { say } from '../words/say.ts';

/** A secret check's `error` in words (shown in the secret storage table), and compared here and in report.ts. */
export const NOT_UNDER_KEY = say('core_ins_check_not_under_key');
export const WRONG_KEY = say('core_ins_check_wrong_key');

/** Published public keys to compare with, by secret name (null: nothing published). */
export type PublishedKeys = Readonly<Record<string, string | null>>;

const BACKUP_SECRET = 'm.megolm_backup.v1';

async function keyCheck(state: AccountState, keyId: string | null, key: Uint8Array): Promise<NonNullable<SecretStorageReport['keyCheck']>> {
  const description = state.keyDescriptions.find((d) => d.keyId === keyId)?.value;
  if (keyId === null || description === null || description === undefined) return 'no-description';
  if (typeof description.iv !== 'string' || typeof description.mac !== 'string') return 'no-check-data';
  try {
    return (await verifyKeyCheck(key, description)) === 'match' ? 'ok' : 'wrong-key';
  } catch {
    // Only a non-Uint8Array or empty key throws, and buildReport validated it; be safe anyway.
    return 'wrong-key';
  }
}

/** Derive the public key of a decrypted secret; null when it is not a 32-byte base64 key. */
async function derivePublic(name: string, plaintext: string, ed: Ed25519): Promise<string | null> {
  const decoded = tryDecodeBase64(plaintext);
  if (!decoded.ok || decoded.value.length !== 32) return null;
  const privateKey = decoded.value;
  try {
    return encodeBase64(name === BACKUP_SECRET ? curve25519PublicKey(privateKey) : await ed.publicKey(privateKey));
  } finally {
    privateKey.fill(0); // best effort only: the plaintext string cannot be wiped
  }
}

async function checkSecret(
  name: string, entry: EncryptedSecret | undefined, key: Uint8Array, published: string | null, ed: Ed25519, view?: SecretDecryptions,
): Promise<SecretCheck> {
  if (entry === undefined) return { decrypted: false, error: NOT_UNDER_KEY, matchesPublished: null };
  let plaintext: string;
  try {
    plaintext = view === undefined ? await decryptSecret(key, name, entry) : await view.decrypt(name, entry);
  } catch (error) {
    const code = error instanceof SecretStorageError ? error.code : 'error';
    return { decrypted: false, error: code === 'bad-mac' ? 'bad-mac' : `bad-encoding: ${error instanceof Error ? error.message : String(error)}`, matchesPublished: null };
  }
  const derived = await derivePublic(name, plaintext, ed);
  if (derived === null) return { decrypted: true, error: 'not-a-key', matchesPublished: null };
  return { decrypted: true, matchesPublished: published === null ? null : derived === published, derivedPublicKey: derived };
}

/**
 * Run the key-dependent checks, filling `report.keyCheck`, `report.givenKeyId` and each present
 * secret's `check` in place.
 *
 * @param keyId - The key ID the given key belongs to (default key, or the caller's choice).
 * @returns The problems found (wrong-recovery-key, secret-mismatch, secret-undecryptable,
 *   backup-key-mismatch).
 */
export async function checkSecretsWithKey(
  state: AccountState, report: SecretStorageReport, key: Uint8Array, keyId: string | null,
  published: PublishedKeys, ed: Ed25519, view?: SecretDecryptions,
): Promise<Problem[]> {
  report.givenKeyId = keyId;
  report.keyCheck = await keyCheck(state, keyId, key);
  const rows = report.secrets.filter((r) => r.present);
  if (report.keyCheck === 'wrong-key') {
    for (const row of rows) row.check = { decrypted: false, error: WRONG_KEY, matchesPublished: null };
    return [problem('wrong-recovery-key', say('core_ins_wrong_key_storage'))];
  }
  for (const row of rows) {
    const secret = state.secrets.find((s) => s.name === row.name)?.value;
    const entry = secret !== null && secret !== undefined && keyId !== null && Object.prototype.hasOwnProperty.call(secret.encrypted, keyId)
      ? secret.encrypted[keyId]
      : undefined;
    row.check = await checkSecret(row.name, entry, key, published[row.name] ?? null, ed, view);
  }

  const attempted = rows.filter((r) => r.check?.error !== NOT_UNDER_KEY);
  // No key check says nothing about the key (any key passes it); a secret whose MAC verifies does.
  if (report.keyCheck === 'no-check-data' && attempted.some((r) => r.check?.decrypted === true)) report.keyCheck = 'proven-by-secret';
  // Without a key check, a wrong key shows only as every MAC failing.
  if (report.keyCheck !== 'ok' && attempted.length > 0 && attempted.every((r) => r.check?.error === 'bad-mac')) {
    return [problem('wrong-recovery-key', say('core_ins_wrong_key_any'))];
  }
  const problems: Problem[] = [];
  for (const row of attempted) {
    const check = row.check!;
    const subject = row.name;
    if (!check.decrypted || check.error === 'not-a-key') {
      const id = check.decrypted ? 'core_ins_secret_not_a_key' : 'core_ins_secret_undecryptable';
      problems.push(problem('secret-undecryptable', say(id, SECRET_WORDS[row.name] ?? row.name), { subject, repair: repairForRole(row.name) ?? null }));
    } else if (check.matchesPublished === false) {
      if (row.name === BACKUP_SECRET) {
        problems.push(problem('backup-key-mismatch', say('core_ins_backup_key_mismatch'), { subject }));
      } else {
        problems.push(problem('secret-mismatch',
          say('core_ins_secret_mismatch', SECRET_WORDS[row.name] ?? row.name),
          { subject, repair: repairForRole(row.name) ?? null }));
      }
    }
  }
  return problems;
}
