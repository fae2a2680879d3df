import { visible } from '../visible-text.ts';
import type { Problem } from '../../core/inspect/problems.ts';
import type { RepairKind } from '../../core/repair/repair-kinds.ts';

const REPAIR_TITLES: Record<RepairKind, string> = {
  'reset-cross-signing': 'Reset cross-signing',
  'regenerate-subkeys': 'Regenerate self-signing / user-signing keys',
  'sign-devices': 'Cross-sign devices',
  'store-secrets': 'Store secrets under the default key',
  'resign-backup': 'Re-sign the key backup',
  'upload-keys': 'Upload keys from secret storage',
  'manual-upload': 'Upload keys by hand',
  'verify-user': 'Verify someone by hand',
  'reverify-users': 'Verify again after a reset',
  fix: 'Fix everything',
};

/** The verdict in words (never colour alone) and one row per problem, each with its repair. */
export function Verdict({ healthy, problems, onRepair }: { healthy: boolean; problems: Problem[]; onRepair?: (repair: string) => boolean }) {
  return (
    <section aria-label="Verdict">
      <p class={`verdict ${healthy ? 'good' : 'bad'}`} data-testid="status-verdict" data-healthy={String(healthy)} role="status">
        {healthy ? '✓ Healthy — every key, signature and secret checks out.' : `✗ ${problems.length} problem${problems.length === 1 ? '' : 's'} found`}
      </p>
      {problems.length > 0 && (
        <ul class="problems">
          {problems.map((p, i) => (
            <li key={i} data-testid="problem" data-code={p.code} data-subject={p.subject ?? ''}>
              <span class="bad-text">✗</span> {visible(p.message)}
              {p.repair && (
                <span class="repair" data-testid="problem-repair" data-repair={p.repair} onClick={(e) => { if (onRepair?.(p.repair!)) e.preventDefault(); }}>
                  {' '}→ <a href={`#repair-${p.repair}`}>{REPAIR_TITLES[p.repair]}</a>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
