/**
 * Checks on the structure of secret storage (docs/matrix-api.md#secret-storage-account-data), without any key: is there a
 * default key, is it described, which secrets exist and under which keys. This is where the
 * reports of element-web#29553, rust-sdk#4736 (secrets under a non-default key) and
 * element-x-android#4343 (master key missing from 4S) are told apart.
 */
import { quote } from '../matrix/json-guards.ts';
import { ROLE, ROLES } from '../roles.ts';
import { SECRET_STORAGE_ALGORITHM } from '../secret-storage.ts';
import { DEFAULT_KEY_TYPE, KEY_DESCRIPTION_PREFIX, type AccountState, type ParsedRead } from './account-state.ts';
import { problem, repairForRole, type Problem } from './problems.ts';
import type { SecretReport, SecretStorageKeyReport, SecretStorageReport } from './report-types.ts';
import { say } from '../words/say.ts';

/** The key backup in words, as backup-checks.ts names it to readProblems. */
export const BACKUP_WHAT = say('core_ins_backup_what');

/** At most this many key IDs are listed per secret (hostile data can hold thousands). */
const MAX_LISTED_KEY_IDS = 32;

/** The secrets in plain words, for messages. */
export const SECRET_WORDS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(ROLES.map((role) => [ROLE[role].secretName, say('core_ins_word_private_key', ROLE[role].label)])),
  'm.megolm_backup.v1': say('core_ins_word_backup_key'),
};

export interface SecretStorageContext {
  /** A master key is published (or may be: keys/query was partial). */
  crossSigningPublished: boolean;
}

/** Problems for a read that failed or could not be parsed; "absent" is not a problem here. */
export function readProblems(type: string, read: ParsedRead<unknown>): Problem[] {
  if (read.read.status === 'failed') {
    return [problem('server-read-failed', say('core_ins_read_failed', type, read.read.error.message), { subject: type })];
  }
  if (read.parseError !== undefined) {
    return [problem('server-data-malformed', say('core_ins_read_malformed', type, read.parseError), { subject: type })];
  }
  return [];
}

function describeKeys(state: AccountState, defaultKeyId: string | null): SecretStorageKeyReport[] {
  return state.keyDescriptions.map((d) => {
    const status = d.read.status !== 'found' ? d.read.status : d.value === null ? 'malformed' : 'found';
    const row: SecretStorageKeyReport = {
      keyId: d.keyId,
      status,
      algorithm: d.value?.algorithm ?? null,
      supported: d.value?.algorithm === SECRET_STORAGE_ALGORITHM,
      hasKeyCheck: typeof d.value?.iv === 'string' && typeof d.value.mac === 'string',
      isDefault: d.keyId === defaultKeyId,
    };
    if (d.value?.name !== undefined) row.name = d.value.name;
    const p = d.value?.passphrase;
    if (p !== undefined) row.passphrase = { algorithm: p.algorithm, salt: p.salt, iterations: p.iterations, bits: p.bits ?? 256 };
    return row;
  });
}

function describeSecrets(state: AccountState, defaultKeyId: string | null): SecretReport[] {
  return state.secrets.map((s) => {
    const keyIds = s.value === null ? [] : Object.keys(s.value.encrypted);
    const row: SecretReport = {
      name: s.name,
      present: s.value !== null,
      keyIds: keyIds.slice(0, MAX_LISTED_KEY_IDS),
      encryptedUnderDefault: defaultKeyId !== null && keyIds.includes(defaultKeyId),
    };
    if (s.read.status === 'failed') row.unreadable = s.read.error.message;
    else if (s.parseError !== undefined) row.unreadable = s.parseError;
    return row;
  });
}

/** Check secret storage's structure; the key-dependent checks are in secret-key-checks.ts. */
export function checkSecretStorage(
  state: AccountState, ctx: SecretStorageContext,
): { report: SecretStorageReport; problems: Problem[] } {
  const defaultKeyId = state.defaultKey.value?.key ?? null;
  const keys = describeKeys(state, defaultKeyId);
  const secrets = describeSecrets(state, defaultKeyId);
  const problems: Problem[] = [...readProblems(DEFAULT_KEY_TYPE, state.defaultKey)];
  for (const d of state.keyDescriptions) problems.push(...readProblems(`${KEY_DESCRIPTION_PREFIX}${d.keyId}`, d));
  for (const s of state.secrets) problems.push(...readProblems(s.name, s));
  if (state.keyIdsSkipped.length > 0) {
    problems.push(problem('server-data-malformed',
      say('core_ins_key_ids_skipped', state.keyIdsSkipped.length),
      { subject: 'm.secret_storage.key' }));
  }

  const defaultUnclear = state.defaultKey.read.status === 'failed' || state.defaultKey.parseError !== undefined;
  const secretsUnclear = state.secrets.some((s) => s.read.status === 'failed' || s.parseError !== undefined);
  const anything = defaultKeyId !== null || secrets.some((s) => s.present) || keys.some((k) => k.status === 'found');
  const report: SecretStorageReport = { defaultKeyId, keys, secrets };
  if (!anything) {
    if (!defaultUnclear && !secretsUnclear) {
      problems.push(problem('no-secret-storage', ctx.crossSigningPublished
        ? say('core_ins_no_secret_storage_published')
        : say('core_ins_no_secret_storage')));
    }
    return { report, problems };
  }

  if (defaultKeyId === null && !defaultUnclear) {
    // With a described key to choose, point default_key at it; with none, only a new key helps.
    const described = keys.some((k) => k.status === 'found' && k.supported);
    problems.push(problem('no-default-key', say('core_ins_no_default_key'),
      described ? {} : { repair: 'create-secret-storage' }));
  } else if (defaultKeyId !== null) {
    const described = keys.find((k) => k.keyId === defaultKeyId);
    if (described?.status === 'absent') {
      problems.push(problem('default-key-description-missing', say('core_ins_default_key_undescribed')));
    } else if (described?.status === 'found' && !described.supported) {
      problems.push(problem('default-key-unsupported', say('core_ins_default_key_unsupported', quote(described.algorithm ?? ''))));
    }
  }

  for (const s of secrets) {
    if (s.unreadable !== undefined) continue;
    const words = SECRET_WORDS[s.name] ?? s.name;
    if (!s.present) {
      // The backup key is only needed when a backup exists (backup-checks.ts), and without a
      // published identity "no-cross-signing" is the root problem.
      if (s.name === 'm.megolm_backup.v1' || !ctx.crossSigningPublished) continue;
      problems.push(problem('secret-missing',
        say('core_ins_secret_missing', words),
        { subject: s.name, repair: repairForRole(s.name) ?? null }));
    } else if (defaultKeyId !== null && !s.encryptedUnderDefault) {
      problems.push(problem('secret-not-under-default-key',
        say('core_ins_secret_elsewhere', words, s.keyIds.slice(0, 3).map((k) => quote(k)).join(', ')),
        { subject: s.name }));
    }
  }
  return { report, problems };
}
