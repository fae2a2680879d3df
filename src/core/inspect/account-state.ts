/**
 * Everything the inspector reads about one account, kept twice: as the raw server JSON exactly as
 * received (for a "raw view" and diagnostic reports) and in parsed form (for the checks).
 *
 * Sources (docs/matrix-api.md#keys-query, docs/matrix-api.md#secret-storage-account-data, docs/matrix-api.md#key-backup): `POST /keys/query` for the user; the global account data
 * `m.secret_storage.default_key`, the four secrets of {@link SECRET_NAMES} and the
 * `m.secret_storage.key.<id>` descriptions they reference; `GET /room_keys/version`.
 *
 * The assembly here is pure, so a state can be built from any source (HTTP in fetch-state.ts,
 * a web app's own client, or test fixtures).
 */
import { fail, isJsonObject, ok, type Result } from '../result.ts';
import { ROLE } from '../roles.ts';
import {
  parseDefaultKey, parseKeyBackupVersion, parseKeysQueryResponse, parseSecretContent,
  parseSecretStorageKeyDescription, type KeysQueryResult,
} from '../matrix/parse.ts';
import type {
  KeyBackupVersion, SecretContent, SecretStorageDefaultKeyContent, SecretStorageKeyDescription,
} from '../matrix/types.ts';

/**
 * The secrets the doctor looks at: the three private cross-signing keys (E2E module
 * §Cross-signing) and the key backup decryption key (§Server-side key backups), docs/matrix-api.md#secret-storage-account-data.
 */
export const SECRET_NAMES = [
  ROLE.master.secretName,
  ROLE.selfSigning.secretName,
  ROLE.userSigning.secretName,
  'm.megolm_backup.v1',
] as const;

export type SecretName = (typeof SECRET_NAMES)[number];

/** Account data type of a secret-storage key description (docs/matrix-api.md#secret-storage-account-data). */
export const KEY_DESCRIPTION_PREFIX = 'm.secret_storage.key.';
export const DEFAULT_KEY_TYPE = 'm.secret_storage.default_key';

/** At most this many key descriptions are fetched; more references than that are hostile. */
export const MAX_KEY_DESCRIPTIONS = 16;
/** Key IDs longer than this are not fetched (real ones are ~32 characters). */
export const MAX_KEY_ID_LENGTH = 255;

/** Why an optional read gave nothing usable; no token in here (the client redacts it). */
export interface ReadFailure {
  name: string;
  message: string;
  status?: number;
  errcode?: string;
}

/**
 * What the server said for one optional read: the JSON as received, "not set" (404
 * `M_NOT_FOUND`), or a failure that says nothing about the account (5xx, 403, timeout…).
 */
export type ReadOutcome =
  | { status: 'found'; raw: unknown }
  | { status: 'absent' }
  | { status: 'failed'; error: ReadFailure };

/**
 * A read plus its parsed form. `value` is null when the read was absent or failed, when the
 * content means "absent" (e.g. a secret without `encrypted`), or when parsing failed
 * (`parseError` then says why).
 */
export interface ParsedRead<T> {
  read: ReadOutcome;
  value: T | null;
  parseError?: string;
}

export interface SecretRead extends ParsedRead<SecretContent> {
  name: SecretName;
}

export interface KeyDescriptionRead extends ParsedRead<SecretStorageKeyDescription> {
  keyId: string;
}

/** A referenced key ID that was not fetched, and why. */
export interface SkippedKeyId {
  keyId: string;
  reason: 'too-many' | 'too-long' | 'empty';
}

/** The account as the server describes it. JSON-serialisable. */
export interface AccountState {
  userId: string;
  /** `keys/query` for {@link userId}: the body as received and its parse. */
  keysQuery: { raw: unknown; result: KeysQueryResult };
  defaultKey: ParsedRead<SecretStorageDefaultKeyContent>;
  /** One entry per name in {@link SECRET_NAMES}, in that order. */
  secrets: SecretRead[];
  /** Descriptions of the referenced key IDs, default key first. */
  keyDescriptions: KeyDescriptionRead[];
  keyIdsSkipped: SkippedKeyId[];
  backup: ParsedRead<KeyBackupVersion>;
}

/** The raw reads an {@link AccountState} is assembled from. */
export interface RawReads {
  keysQuery: unknown;
  defaultKey: ReadOutcome;
  secrets: Readonly<Record<SecretName, ReadOutcome>>;
  keyDescriptions: readonly { keyId: string; read: ReadOutcome }[];
  keyIdsSkipped?: readonly SkippedKeyId[];
  backup: ReadOutcome;
}

function parsedRead<T>(read: ReadOutcome, parse: (raw: unknown) => Result<T | null>): ParsedRead<T> {
  if (read.status !== 'found') return { read, value: null };
  const parsed = parse(read.raw);
  return parsed.ok ? { read, value: parsed.value } : { read, value: null, parseError: parsed.error };
}

/**
 * The key IDs whose descriptions should be fetched: the default key, then every key a secret is
 * encrypted under (from the raw `encrypted` map, so even malformed entries count), deduplicated
 * and bounded by {@link MAX_KEY_DESCRIPTIONS} and {@link MAX_KEY_ID_LENGTH}.
 *
 * @returns The IDs to fetch, and the ones left out with the reason.
 * @throws Never: the reads are untrusted and only inspected.
 */
export function referencedKeyIds(
  defaultKey: ReadOutcome, secrets: Readonly<Record<SecretName, ReadOutcome>>,
): { fetch: string[]; skipped: SkippedKeyId[] } {
  const candidates: string[] = [];
  const parsedDefault = defaultKey.status === 'found' ? parseDefaultKey(defaultKey.raw) : undefined;
  if (parsedDefault?.ok && parsedDefault.value) candidates.push(parsedDefault.value.key);
  for (const name of SECRET_NAMES) {
    const read = secrets[name];
    if (read.status !== 'found' || !isJsonObject(read.raw)) continue;
    const encrypted = Object.prototype.hasOwnProperty.call(read.raw, 'encrypted') ? read.raw['encrypted'] : undefined;
    if (isJsonObject(encrypted)) candidates.push(...Object.keys(encrypted));
  }
  const fetch: string[] = [];
  const skipped: SkippedKeyId[] = [];
  const seen = new Set<string>();
  for (const keyId of candidates) {
    if (seen.has(keyId)) continue;
    seen.add(keyId);
    if (keyId === '') skipped.push({ keyId, reason: 'empty' });
    else if (keyId.length > MAX_KEY_ID_LENGTH) skipped.push({ keyId: keyId.slice(0, 64), reason: 'too-long' });
    else if (fetch.length >= MAX_KEY_DESCRIPTIONS) skipped.push({ keyId, reason: 'too-many' });
    else fetch.push(keyId);
  }
  return { fetch, skipped };
}

/**
 * Assemble an {@link AccountState} from raw reads. Never throws.
 *
 * @returns A failure only when the keys/query body is unusable as a whole (not an object, or a
 *   key section that is not an object); malformed entries inside it end up in `skipped`.
 * @throws Never.
 */
export function buildAccountState(userId: string, reads: RawReads): Result<AccountState> {
  const keys = parseKeysQueryResponse(reads.keysQuery);
  if (!keys.ok) return fail(keys.error);
  return ok({
    userId,
    keysQuery: { raw: reads.keysQuery, result: keys.value },
    defaultKey: parsedRead(reads.defaultKey, parseDefaultKey),
    secrets: SECRET_NAMES.map((name) => ({ name, ...parsedRead(reads.secrets[name], parseSecretContent) })),
    keyDescriptions: reads.keyDescriptions.map(({ keyId, read }) => ({
      keyId, ...parsedRead(read, parseSecretStorageKeyDescription),
    })),
    keyIdsSkipped: [...(reads.keyIdsSkipped ?? [])],
    backup: parsedRead(reads.backup, parseKeyBackupVersion),
  });
}
