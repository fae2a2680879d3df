import { visible } from '../visible-text.ts';
import { CopyButton } from './copy-button.tsx';
import { CROSS_SIGNED_WORDS, type CrossSigned } from '../words.ts';

/** A public key or ID: monospace, selectable, with a copy button. */
export function KeyText({ value, label, testId }: { value: string | null; label: string; testId?: string }) {
  if (!value) return <span class="muted">—</span>;
  return (
    <span class="key">
      <code class="mono" data-testid={testId}>{visible(value)}</code>
      <CopyButton label={label} value={() => value} />
    </span>
  );
}

const WORDS: Record<string, string> = {
  valid: '✓ valid',
  invalid: '✗ invalid',
  'not-signed': '✗ not signed',
  absent: `✗ ${CROSS_SIGNED_WORDS.absent}`,
  'old-key': `✗ ${CROSS_SIGNED_WORDS['old-key']}`,
  'n/a': '—',
  'no-key': '✗ no key',
  'unknown-device': '? unknown device',
  'not-checked': '— not checked',
};

/** A signature verdict in words, coloured as a hint only. */
export function SigBadge({ result, testId }: { result: string; testId?: string }) {
  const cls = result === 'valid' ? 'good-text' : result === 'n/a' || result === 'not-checked' ? 'muted' : 'bad-text';
  return <span class={cls} data-testid={testId} data-result={result}>{WORDS[result] ?? result}</span>;
}

/** A device's cross-signing state, in the words the sign form uses too (CROSS_SIGNED_WORDS). */
export function CrossSignedBadge({ state, testId }: { state: CrossSigned; testId?: string }) {
  return <span class={state === 'valid' ? 'good-text' : 'bad-text'} data-testid={testId} data-result={state}>{state === 'valid' ? '✓' : '✗'} {CROSS_SIGNED_WORDS[state]}</span>;
}
