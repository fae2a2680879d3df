import { REPAIR_KINDS, type RepairKind } from '../../core/repair/repair-kinds.ts';
import { REPAIR_LABELS } from './repair-labels.ts';

/** Repairs that replace or overwrite published keys, and what each one destroys. */
export const DESTRUCTIVE_REPAIRS: Readonly<Partial<Record<RepairKind, string>>> = {
  'reset-cross-signing': 'Replaces all three cross-signing keys: every signature on your devices and on the people you verified stops counting, and other people see your identity change.',
  'regenerate-subkeys': 'Replaces the self-signing and/or user-signing key: devices signed by the old self-signing key, or people signed by the old user-signing key, count as unverified until signed again.',
  'manual-upload': 'Publishes the keys you paste in place of the current ones: whatever they replace stops counting, and a key that is not yours would take over your identity.',
};

/**
 * The buttons that open a repair's form. On a healthy account the destructive ones sit behind
 * "Advanced", each with a sentence on what it destroys; on a broken one they stay in line, since
 * a problem may need them.
 */
export function RepairToolbar({ healthy, onOpen }: { healthy: boolean; onOpen: (kind: RepairKind) => void }) {
  const button = (k: RepairKind) => (
    <button type="button" key={k} data-testid="repair-open" data-repair={k} onClick={() => onOpen(k)}>{REPAIR_LABELS[k]}…</button>
  );
  const hidden = healthy ? REPAIR_KINDS.filter((k) => DESTRUCTIVE_REPAIRS[k] !== undefined) : [];
  return (
    <>
      <div class="row toolbar">{REPAIR_KINDS.filter((k) => !hidden.includes(k)).map(button)}</div>
      {hidden.length > 0 && (
        <details class="advanced" data-testid="repair-advanced">
          <summary>Advanced: repairs that replace keys ({hidden.length})</summary>
          <ul class="plain">
            {hidden.map((k) => <li key={k}>{button(k)} <span class="muted" data-testid="repair-destroys" data-repair={k}>{DESTRUCTIVE_REPAIRS[k]}</span></li>)}
          </ul>
        </details>
      )}
    </>
  );
}
