import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n.ts';

type RepairViews = typeof import('./repair-views.ts');

let views: RepairViews | undefined;
let pending: Promise<RepairViews> | undefined;

/** Loads the repair chunk once (src/popup/components/repair-views.ts); later calls share it. */
export const loadRepairViews = (): Promise<RepairViews> =>
  (pending ??= import('./repair-views.ts').then((m) => (views = m), (e: unknown) => { pending = undefined; throw e; }));

/**
 * The repair chunk's components once `wanted` (a form or a flow to show), else undefined: the
 * caller shows a "Loading" line meanwhile, and a failed load as an error it can retry.
 */
export function useRepairViews(wanted: boolean): { views: RepairViews | undefined; error: string | null; retry: () => void } {
  const [, loaded] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!wanted || views) return;
    let stale = false;
    loadRepairViews().then(
      () => { if (!stale) loaded((n) => n + 1); },
      (e: unknown) => { if (!stale) setError(t('repairChunkFailed', e instanceof Error ? e.message : String(e))); },
    );
    return () => { stale = true; };
  }, [wanted, attempt]);
  return { views: wanted ? views : undefined, error: wanted && !views ? error : null, retry: () => { setError(null); setAttempt((n) => n + 1); } };
}
