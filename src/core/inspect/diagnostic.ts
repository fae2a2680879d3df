/**
 * "Copy diagnostic report": the report plus the raw server JSON it was built from, for bug
 * reports. It never holds the access token (the state never had it) or a decrypted secret (the
 * report never had one). On top of that, what would help an attacker or identify the person is
 * replaced by `"[redacted: N characters]"`:
 *
 * - secrets' `ciphertext` and `mac`, and key descriptions' `mac`: with them, a weak passphrase
 *   could be brute-forced offline (the key check is a known-plaintext oracle, docs/matrix-api.md#secret-storage-key-check);
 * - device display names (personal text; the device IDs and keys are enough to debug).
 *
 * Public keys, signatures, key IDs, IVs and passphrase salts/iterations are kept: that is what
 * a cross-signing bug is made of. `unsigned` and secrets are not covered by signatures, so the
 * redacted copies still verify.
 */
import type { ReadOutcome } from './account-state.ts';
import { DEFAULT_KEY_TYPE, KEY_DESCRIPTION_PREFIX } from './account-state.ts';
import { own } from './check-helpers.ts';
import { redactEncryptedSecret, redactMember, redactText } from './redaction.ts';
import type { Report } from './report-types.ts';
import { isJsonObject } from '../result.ts';
import type { UsersProblemCode, UsersReport, UserState } from '../users/types.ts';
import { say } from '../words/say.ts';

/** The raw reads a diagnostic bundle is made from (an AccountState has them all). */
export interface DiagnosticSource {
  keysQuery: { raw: unknown };
  defaultKey: { read: ReadOutcome };
  keyDescriptions: readonly { keyId: string; read: ReadOutcome }[];
  secrets: readonly { name: string; read: ReadOutcome }[];
  backup: { read: ReadOutcome };
}

/** The shareable bundle produced by {@link diagnosticData}. */
export interface DiagnosticReport {
  tool: 'xsign-doctor';
  formatVersion: 1;
  /** ISO time, when the caller gave one (the core has no clock of its own here). */
  generatedAt?: string;
  report: Report;
  server: {
    keysQuery: unknown;
    accountData: { type: string; read: ReadOutcome }[];
    backup: ReadOutcome;
  };
  /** What was replaced, in words. */
  redactions: string[];
  /** The users report as counts only: no user is named (docs/matrix-api.md#user-verification). */
  users?: { counts: Record<UserState, number>; problems: { code: UsersProblemCode; count?: number }[] };
}

const REDACTIONS = [
  say('core_ins_redacted_display_names'),
  say('core_ins_redacted_secrets'),
  say('core_ins_redacted_key_checks'),
];

/** A deep copy through JSON: own "__proto__" members stay plain data, nothing is shared. */
function copyJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function redactDisplayNames(keysQuery: unknown): void {
  const users = own(keysQuery, 'device_keys');
  if (!isJsonObject(users)) return;
  for (const devices of Object.values(users)) {
    if (!isJsonObject(devices)) continue;
    for (const device of Object.values(devices)) redactMember(own(device, 'unsigned'), 'device_display_name');
  }
}

function redactSecret(read: ReadOutcome): ReadOutcome {
  const copy = copyJson(read);
  if (copy.status === 'found') redactEncryptedSecret(copy.raw);
  return copy;
}

function redactDescription(read: ReadOutcome): ReadOutcome {
  const copy = copyJson(read);
  if (copy.status === 'found') redactMember(copy.raw, 'mac');
  return copy;
}

/**
 * A copy of the report safe to share: device display names are replaced. (Problem messages never
 * quote display names, and the report never holds secrets.)
 *
 * @throws {TypeError} Only if `report` is not JSON-serialisable (never for buildReport output).
 */
export function redactedReport(report: Report): Report {
  const copy = copyJson(report);
  for (const device of copy.devices) {
    if (device.displayName !== null) device.displayName = redactText(device.displayName);
  }
  return copy;
}

/**
 * The diagnostic bundle as data: redacted report plus redacted raw server JSON.
 *
 * @param opts.generatedAt - A timestamp to include (e.g. `new Date().toISOString()`).
 * @throws {TypeError} Only if `report` or `state` is not JSON-serialisable (never for the
 *   outputs of buildReport and fetchAccountState).
 */
export function diagnosticData(
  report: Report, state: DiagnosticSource, opts: { generatedAt?: string; users?: UsersReport } = {},
): DiagnosticReport {
  const keysQuery = copyJson(state.keysQuery.raw);
  redactDisplayNames(keysQuery);
  const accountData = [
    { type: DEFAULT_KEY_TYPE, read: copyJson(state.defaultKey.read) },
    ...state.keyDescriptions.map((d) => ({ type: `${KEY_DESCRIPTION_PREFIX}${d.keyId}`, read: redactDescription(d.read) })),
    ...state.secrets.map((s) => ({ type: s.name, read: redactSecret(s.read) })),
  ];
  const out: DiagnosticReport = {
    tool: 'xsign-doctor',
    formatVersion: 1,
    report: redactedReport(report),
    server: { keysQuery, accountData, backup: copyJson(state.backup.read) },
    redactions: [...REDACTIONS],
  };
  if (opts.generatedAt !== undefined) out.generatedAt = opts.generatedAt;
  if (opts.users !== undefined) {
    out.users = {
      counts: copyJson(opts.users.counts),
      problems: opts.users.problems.map((p) => (p.count === undefined ? { code: p.code } : { code: p.code, count: p.count })),
    };
  }
  return out;
}

/** {@link diagnosticData} as pretty-printed JSON text, ready for the clipboard. */
export function diagnosticJson(report: Report, state: DiagnosticSource, opts: { generatedAt?: string; users?: UsersReport } = {}): string {
  return JSON.stringify(diagnosticData(report, state, opts), null, 2);
}
