import { useState } from 'preact/hooks';
import { t } from '../i18n.ts';

/** Copies a value supplied on demand (so secrets are fetched only when the user asks). */
export function CopyButton({ label, value }: { label: string; value: () => string | Promise<string> }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const onClick = async () => {
    try {
      await navigator.clipboard.writeText(await value());
      setState('copied');
    } catch {
      // Clipboard access can be refused (no user gesture, permissions); say so instead of failing silently.
      setState('failed');
    }
    setTimeout(() => setState('idle'), 1500);
  };
  return (
    <button type="button" class="copy" aria-label={t('copyLabel', label)} onClick={onClick}>
      {state === 'copied' ? t('copied') : state === 'failed' ? t('copyFailed') : t('copyIdle')}
    </button>
  );
}
