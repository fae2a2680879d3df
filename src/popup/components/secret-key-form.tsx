import { useState } from 'preact/hooks';
import { t } from '../i18n.ts';

/**
 * Recovery key or passphrase, typed by the user to check secret storage. It goes to the
 * background for one request and is never stored (not even in storage.session).
 */
export function SecretKeyForm({ busy, onCheck }: { busy: boolean; onCheck: (input: { recoveryKey?: string; passphrase?: string }) => void }) {
  const [mode, setMode] = useState<'recoveryKey' | 'passphrase'>('recoveryKey');
  const onSubmit = (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const input = form.elements.namedItem('secret') as HTMLInputElement;
    const value = input.value.trim();
    input.value = '';
    if (value) onCheck(mode === 'recoveryKey' ? { recoveryKey: value } : { passphrase: value });
  };
  return (
    <form class="row" onSubmit={onSubmit} data-testid="secret-key-form">
      <select aria-label={t('whatYouType')} value={mode} onChange={(e) => setMode((e.currentTarget as HTMLSelectElement).value as typeof mode)} data-testid="secret-key-mode">
        <option value="recoveryKey">{t('recoveryKey')}</option>
        <option value="passphrase">{t('passphrase')}</option>
      </select>
      <input name="secret" type="password" autocomplete="off" spellcheck={false} placeholder={mode === 'recoveryKey' ? 'EsTc …' : t('passphrasePlaceholder')} data-testid="secret-key-input" style="flex:1" />
      <button type="submit" disabled={busy} data-testid="secret-key-check">{t('checkSecrets')}</button>
    </form>
  );
}
