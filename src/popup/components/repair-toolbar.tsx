import { REPAIR_KINDS, type RepairKind } from '../../core/repair/repair-kinds.ts';
import { repairLabel } from './repair-labels.ts';
import { t, type MessageId } from '../i18n.ts';

/** Repairs that replace or overwrite published keys, and the message saying what each one destroys. */
export const DESTRUCTIVE_REPAIRS: Readonly<Partial<Record<RepairKind, MessageId>>> = {
  'reset-cross-signing': 'destroys_reset_cross_signing',
  'regenerate-subkeys': 'destroys_regenerate_subkeys',
  'manual-upload': 'destroys_manual_upload',
};

/**
 * The buttons that open a repair's form. On a healthy account the destructive ones sit behind
 * "Advanced", each with a sentence on what it destroys; on a broken one they stay in line, since
 * a problem may need them.
 */
export function RepairToolbar({ healthy, onOpen }: { healthy: boolean; onOpen: (kind: RepairKind) => void }) {
  const button = (k: RepairKind) => (
    <button type="button" key={k} data-testid="repair-open" data-repair={k} onClick={() => onOpen(k)}>{repairLabel(k)}…</button>
  );
  const hidden = healthy ? REPAIR_KINDS.filter((k) => DESTRUCTIVE_REPAIRS[k] !== undefined) : [];
  return (
    <>
      <div class="row toolbar">{REPAIR_KINDS.filter((k) => !hidden.includes(k)).map(button)}</div>
      {hidden.length > 0 && (
        <details class="advanced" data-testid="repair-advanced">
          <summary>{t('advancedRepairs', hidden.length)}</summary>
          <ul class="plain">
            {hidden.map((k) => <li key={k}>{button(k)} <span class="muted" data-testid="repair-destroys" data-repair={k}>{t(DESTRUCTIVE_REPAIRS[k]!)}</span></li>)}
          </ul>
        </details>
      )}
    </>
  );
}
