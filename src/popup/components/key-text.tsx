import { visible } from '../visible-text.ts';
import { CopyButton } from './copy-button.tsx';
import { crossSignedWords, type CrossSigned } from '../words.ts';
import { t } from '../i18n.ts';

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

/** A signature check's result in words; an unknown code is shown as it is. */
function sigWords(result: string): string {
  switch (result) {
    case 'valid': return t('sig_valid');
    case 'invalid': return t('sig_invalid');
    case 'not-signed': return t('sig_not_signed');
    case 'absent': case 'old-key': return `✗ ${crossSignedWords(result)}`;
    case 'n/a': return '—';
    case 'no-key': return t('sig_no_key');
    case 'unknown-device': return t('sig_unknown_device');
    case 'not-checked': return t('sig_not_checked');
    default: return result;
  }
}

/** A signature verdict in words, coloured as a hint only. */
export function SigBadge({ result, testId }: { result: string; testId?: string }) {
  const cls = result === 'valid' ? 'good-text' : result === 'n/a' || result === 'not-checked' ? 'muted' : 'bad-text';
  return <span class={cls} data-testid={testId} data-result={result}>{sigWords(result)}</span>;
}

/** A device's cross-signing state, in the words the sign form uses too (crossSignedWords). */
export function CrossSignedBadge({ state, testId }: { state: CrossSigned; testId?: string }) {
  return <span class={state === 'valid' ? 'good-text' : 'bad-text'} data-testid={testId} data-result={state}>{state === 'valid' ? '✓' : '✗'} {crossSignedWords(state)}</span>;
}
