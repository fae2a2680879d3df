import { visible } from '../visible-text.ts';
import { useRawText } from './raw-json.tsx';

/**
 * "Raw JSON" for one row: the exact server object behind it, rendered only when asked for (a
 * 1000-device report would otherwise carry every device twice in the DOM). Text, never markup.
 */
export function RawToggle({ label, value, testId }: { label: string; value: () => unknown; testId?: string }) {
  const [text, toggle] = useRawText(value);
  const open = text !== null;
  return (
    <span class="raw-toggle">
      <button type="button" class="copy" aria-expanded={open} aria-label={`Raw JSON of ${visible(label)}`} onClick={() => toggle(!open)} data-testid={testId}>
        {open ? 'hide raw' : 'raw'}
      </button>
      {open && <pre class="mono raw-row" data-testid={testId && `${testId}-json`}>{text}</pre>}
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
