import { visible } from '../visible-text.ts';
import { causeOf, groupCauses } from '../../core/inspect/causes.ts';
import type { VerdictProblem } from '../../core/users/verdict.ts';
import type { RepairKind } from '../../core/repair/repair-kinds.ts';
import { repairLabel } from './repair-labels.ts';
import { t, tp } from '../i18n.ts';
import { causeHeadline, problemText, type ProblemContext } from '../core-words.ts';

/** A cause with more problems than this starts collapsed (120 sessions are one row, not 120). */
const OPEN_UP_TO = 5;

/** The first three subjects (IDs: data, shown escaped), and how many more there are. */
function subjectList(subjects: string[]): string {
  const first = visible(subjects.slice(0, 3).join(', '));
  return subjects.length > 3 ? tp('andMore', subjects.length - 3, first) : first;
}

/**
 * The verdict in words (never colour alone), one row per root cause (src/core/inspect/causes.ts)
 * with its repair, its problems listed under it (collapsed when many), and "Fix everything" when
 * some cause has a repair. While a repair runs the verdict says so instead of a stale one. The
 * problems are the account's, then those of the people I verified (src/core/users/verdict.ts)
 * once their report is in (`data-users`: read / pending).
 */
export function Verdict({ healthy, problems, report, usersRead, repairing = false, onRepair }: {
  healthy: boolean; problems: VerdictProblem[];
  /** The account report the problems come from: their sentences name its data (src/popup/core-words.ts). */
  report?: ProblemContext;
  usersRead?: boolean; repairing?: boolean; onRepair?: (repair: string) => boolean;
}) {
  const causes = groupCauses(problems);
  const link = (repair: RepairKind, testId: string) => (
    <span class="repair" data-testid={testId} data-repair={repair} onClick={(e) => { if (onRepair?.(repair)) e.preventDefault(); }}>
      {' '}→ <a href={`#repair-${repair}`}>{repairLabel(repair)}</a>
    </span>
  );
  return (
    <section aria-label={t('verdictLabel')} data-repairing={String(repairing)}>
      <p class={`verdict ${repairing ? '' : healthy ? 'good' : 'bad'}`} data-testid="status-verdict" data-healthy={String(healthy)} data-repairing={String(repairing)} data-users={usersRead ? 'read' : 'pending'} role="status">
        {repairing
          ? <span data-testid="verdict-repairing">{t('verdictRepairing')}</span>
          : healthy ? t('verdictHealthy') : tp('verdictProblems', problems.length, tp('causes', causes.length))}
      </p>
      {causes.length > 0 && (
        <ul class="problems">
          {causes.map((c) => (
            <li key={c.id} data-testid="verdict-cause" data-cause={c.id} data-count={String(c.count)} data-repair={c.repair ?? ''}>
              <span class="bad-text">✗</span> {visible(causeHeadline(c, problems, report))}
              {c.repair && link(c.repair, 'cause-repair')}
              <details open={c.count <= OPEN_UP_TO} data-testid="cause-subjects">
                <summary class="muted">{c.subjects.length > 0 ? t('causeSubjects', tp('problems', c.count), subjectList(c.subjects)) : tp('problems', c.count)}</summary>
                <ul class="problems">
                  {problems.filter((p) => causeOf(p) === c.id).map((p, i) => (
                    <li key={i} data-testid="problem" data-code={p.code} data-subject={p.subject ?? ''}>
                      <span class="bad-text">✗</span> {visible(problemText(p, report))}
                      {p.repair && link(p.repair, 'problem-repair')}
                    </li>
                  ))}
                </ul>
              </details>
            </li>
          ))}
        </ul>
      )}
      {!repairing && causes.some((c) => c.repair !== undefined) && (
        <button type="button" data-testid="fix-open" onClick={() => onRepair?.('fix')}>{t('fixOpen')}</button>
      )}
    </section>
  );
}
