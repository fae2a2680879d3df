import { useState } from 'preact/hooks';
import { send } from '../../ext/messaging.ts';
import { clearError, session, showError } from '../state.ts';
import { t } from '../i18n.ts';

/** For web apps the extension cannot read: paste a homeserver URL and an access token. */
export function ManualForm() {
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    clearError();
    try {
      session.value = await send('connectManual', {
        homeserver: String(form.get('homeserver') ?? '').trim(),
        accessToken: String(form.get('token') ?? '').trim(),
      });
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={onSubmit} data-testid="manual-form">
      <label>
        {t('homeserverUrl')}
        <input name="homeserver" type="url" required placeholder="https://matrix-client.matrix.org" data-testid="manual-homeserver" />
      </label>
      <label>
        {t('accessToken')}
        <input name="token" type="password" required autocomplete="off" data-testid="manual-token" />
      </label>
      <button class="primary" type="submit" disabled={busy} data-testid="manual-connect">
        {busy ? t('checking') : t('connect')}
      </button>
    </form>
  );
}
