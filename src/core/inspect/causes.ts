/**
 * Root causes: the problems of one report grouped by what went wrong, each with one headline in
 * words and the one repair that fixes it. "The cross-signing keys were replaced; 119 sessions
 * still carry the old signature" is ONE cause with 119 subjects, not 119 rows. The report keeps
 * every problem (each names its `cause`); the popup's verdict and the CLI's text show causes.
 *
 * Two tables drive everything, and both the verdict and the composed fix
 * (src/core/app/compose-fix.ts) read them:
 * - CAUSE_OF_CODE: every problem code → its cause (a new code does not compile without a row);
 * - CAUSES: per cause, its order in the verdict, and the repair that fixes it by default.
 * - REPAIR_RANK: the order repairs run in when one plan fixes several causes (lower first).
 *
 * Plugging in a new repair kind: give the cause its `repair` in CAUSES, and the kind its rank in
 * REPAIR_RANK; compose-fix.ts then builds it as one more part of the plan (a kind a fix must never
 * do gets no rank and its reason in compose-fix.ts's NOT_COMPOSED, as sign-out-device).
 */
import type { RepairKind } from '../repair/repair-kinds.ts';
import type { ProblemCode } from './problems.ts';
import { CAUSE_HEADLINES } from './cause-messages.ts';

/** `text` with `$1…` filled, as say() (src/core/words/say.ts) fills its message; no headline has `$$`. */
const fill = (text: string, ...subs: (string | number)[]): string => text.replace(/\$([1-9])/g, (_, i: string) => String(subs[Number(i) - 1] ?? ''));

/** Each cause's place in the verdict: CAUSE_HEADLINES is in that order. */
const ORDER = Object.keys(CAUSE_HEADLINES);

/**
 * A cause's headline given its problems and subjects: say() of its core_ins_cause_ message, read
 * from CAUSE_HEADLINES only (say.ts would bring the whole catalogue into the popup). A pair counts
 * the subjects (sessions, secrets; $2 lists them), or the problems for subkeys-broken and
 * partial-read; no-identity's second sentence says the private keys are still kept.
 */
function headlineOf(id: CauseId, ps: readonly CauseInput[], subjects: readonly string[]): string {
  const h: string | readonly [string, string] = CAUSE_HEADLINES[id];
  if (id === 'people-verified' && ps.length === 1) return ps[0]!.message;
  if (typeof h === 'string') return fill(h, ps.length);
  if (id === 'no-identity') return h[ps.some((p) => p.repair === 'upload-keys') ? 1 : 0];
  const n = id === 'subkeys-broken' || id === 'partial-read' ? ps.length : subjects.length;
  return fill(h[n === 1 ? 0 : 1], n, subjects.join(', '));
}

export type CauseId =
  | 'no-identity' | 'identity-broken' | 'subkeys-broken' | 'secrets-lost' | 'secrets-elsewhere'
  | 'no-secret-storage' | 'no-default-key' | 'wrong-recovery-key'
  | 'sessions-old-signature' | 'sessions-unsigned' | 'sessions-untrustworthy'
  | 'backup-untrusted' | 'backup-key-lost' | 'partial-read' | 'people-verified';

/** Every problem code's root cause. */
export const CAUSE_OF_CODE: Readonly<Record<ProblemCode, CauseId>> = Object.freeze({
  'no-cross-signing': 'no-identity',
  'master-key-malformed': 'identity-broken',
  'key-for-other-user': 'identity-broken',
  'self-signing-key-missing': 'subkeys-broken',
  'user-signing-key-missing': 'subkeys-broken',
  'self-signing-key-malformed': 'subkeys-broken',
  'user-signing-key-malformed': 'subkeys-broken',
  'self-signing-not-signed-by-master': 'subkeys-broken',
  'user-signing-not-signed-by-master': 'subkeys-broken',
  'device-not-cross-signed': 'sessions-unsigned',
  'device-cross-signature-invalid': 'sessions-unsigned',
  'device-signed-by-old-key': 'sessions-old-signature',
  'device-self-signature-invalid': 'sessions-untrustworthy',
  'device-id-collides-with-key': 'sessions-untrustworthy',
  'device-keys-malformed': 'sessions-untrustworthy',
  'no-secret-storage': 'no-secret-storage',
  'no-default-key': 'no-default-key',
  'default-key-description-missing': 'no-default-key',
  'default-key-unsupported': 'no-default-key',
  'secret-missing': 'secrets-lost',
  'secret-not-under-default-key': 'secrets-elsewhere',
  'secret-mismatch': 'secrets-lost',
  'secret-undecryptable': 'secrets-lost',
  'wrong-recovery-key': 'wrong-recovery-key',
  'backup-not-trusted': 'backup-untrusted',
  'backup-not-signed-by-master': 'backup-untrusted',
  'backup-key-missing': 'backup-key-lost',
  'backup-key-mismatch': 'backup-key-lost',
  'server-data-malformed': 'partial-read',
  'server-read-failed': 'partial-read',
});

/**
 * Order in which repairs run inside one composed plan (lower first), and which repair of a
 * cause's problems is "the" repair when they name several (the lowest rank: a reset covers what a
 * regeneration would). Kinds not listed here are never composed (manual-upload and verify-user
 * need what only the person can type; reverify-users belongs to the users report).
 *
 * The recovery repairs: create-secret-storage 0 and set-default-key 1 (before any key is stored:
 * the later parts store under the key they make or point at), reset-backup 45 (after new
 * cross-signing keys, so the new backup is signed by the new master). sign-out-device is never
 * composed: it ends sessions, so the person chooses it on its own (docs/design.md#composed-fix).
 */
export const REPAIR_RANK: Readonly<Partial<Record<RepairKind, number>>> = Object.freeze({
  'create-secret-storage': 0,
  'set-default-key': 1,
  'store-secrets': 5,
  'reset-cross-signing': 10,
  'upload-keys': 15,
  'regenerate-subkeys': 20,
  'sign-devices': 30,
  'resign-backup': 40,
  'reset-backup': 45,
});

/** The rank of a repair kind, or undefined when it is never part of a composed plan. */
export const rankOf = (kind: RepairKind | undefined): number | undefined => (kind === undefined ? undefined : REPAIR_RANK[kind]);

/** What grouping needs of a problem: the account report's, or any verdict problem with a string code. */
export interface CauseInput {
  code: string;
  message: string;
  repair?: RepairKind;
  subject?: string;
}

/** One root cause of a report: its problems' codes and subjects, one headline, one repair. */
export interface Cause {
  id: CauseId;
  headline: string;
  /** The repair that fixes the cause (the lowest-ranked one its problems name); absent: none exists. */
  repair?: RepairKind;
  /** Devices, keys or secrets the cause is about, in report order, each once. */
  subjects: string[];
  /** Problem codes (ProblemCode, or a users report's code). */
  codes: string[];
  /** How many problems of the report it groups. */
  count: number;
}

/**
 * The cause of one problem: the table's for an account problem, `people-verified` for the users
 * report's (`users-*`), and an unknown code is read as a partial report.
 * @throws Never.
 */
export const causeOf = (p: { code: string }): CauseId => (Object.prototype.hasOwnProperty.call(CAUSE_OF_CODE, p.code)
  ? CAUSE_OF_CODE[p.code as ProblemCode] : p.code.startsWith('users-') ? 'people-verified' : 'partial-read');

/** The repair a set of problems calls for: the lowest-ranked named one, or the first named when none ranks. */
function repairOf(problems: readonly CauseInput[]): RepairKind | undefined {
  const named = problems.flatMap((p) => (p.repair === undefined ? [] : [p.repair]));
  const ranked = named.filter((r) => rankOf(r) !== undefined).sort((a, b) => rankOf(a)! - rankOf(b)!);
  return ranked[0] ?? named[0];
}

/**
 * Group problems under their root causes, root causes first.
 * @throws Never.
 */
export function groupCauses(problems: readonly CauseInput[]): Cause[] {
  const groups = new Map<CauseId, CauseInput[]>();
  for (const p of problems) {
    const id = causeOf(p);
    groups.set(id, [...(groups.get(id) ?? []), p]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => ORDER.indexOf(a) - ORDER.indexOf(b))
    .map(([id, ps]) => {
      const subjects = [...new Set(ps.flatMap((p) => (p.subject === undefined ? [] : [p.subject])))];
      const repair = repairOf(ps);
      return {
        id, headline: headlineOf(id, ps, subjects), ...(repair === undefined ? {} : { repair }),
        subjects, codes: [...new Set(ps.map((p) => p.code))], count: ps.length,
      };
    });
}
