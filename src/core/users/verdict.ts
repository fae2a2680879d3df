/**
 * The account's verdict with the people I verified in it: the users report's problems ("N people
 * you verified are no longer verified because your user-signing key was replaced", …) count in the
 * verdict and are listed after the account's own, in the popup and in `xsign-doctor status`. A
 * healthy account with no verified users stays healthy: the users report has no problem then.
 */
import type { Problem } from '../inspect/problems.ts';
import type { RepairKind } from '../repair/repair-kinds.ts';
import type { UsersReport } from './types.ts';

/** A problem of the account report or of the users report (codes of both are stable). */
export interface VerdictProblem {
  code: string;
  message: string;
  repair?: RepairKind;
  subject?: string;
  /** Users problems: how many people (they name nobody). */
  count?: number;
}

export interface AccountVerdict {
  healthy: boolean;
  problems: VerdictProblem[];
}

/**
 * @param users - The users report, or null/undefined while it is not read (or could not be):
 *   the verdict is then the account report's alone.
 */
export function accountVerdict(report: { healthy: boolean; problems: readonly Problem[] }, users: Pick<UsersReport, 'problems'> | null | undefined): AccountVerdict {
  const problems: VerdictProblem[] = [...report.problems];
  for (const p of users?.problems ?? []) {
    const out: VerdictProblem = { code: p.code, message: p.message };
    if (p.repair !== undefined) out.repair = p.repair;
    if (p.count !== undefined) out.count = p.count;
    problems.push(out);
  }
  return { healthy: report.healthy && problems.length === report.problems.length, problems };
}
