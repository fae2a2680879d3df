import { visible } from '../visible-text.ts';
import { useRawPane } from './raw-json.tsx';
import { RawPane } from './raw-pane.tsx';
import { t } from '../i18n.ts';

/**
 * "Raw JSON" for one row: the exact server object behind it, rendered only when asked for (a
 * 1000-device report would otherwise carry every device twice in the DOM), in a pane of its own
 * rather than squeezed into the table cell. Text, never markup.
 */
export function RawToggle({ label, value, testId }: { label: string; value: () => unknown; testId?: string }) {
  const pane = useRawPane(value);
  return (
    <span class="raw-toggle">
      <button type="button" class="copy" aria-haspopup="dialog" aria-label={t('rawOf', visible(label))} onClick={() => pane.show(true)} data-testid={testId}>
        {t('rawButton')}
      </button>
      {pane.open && <RawPane label={label} json={pane.text} testId={testId} onClose={() => pane.show(false)} />}
    </span>
  );
}

/** `value[k1][k2]…` through own properties only: server JSON may carry "__proto__" keys. */
export function ownPath(value: unknown, ...keys: string[]): unknown {
  let cur = value;
  for (const key of keys) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
