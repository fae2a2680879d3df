import { useEffect } from 'preact/hooks';
import { accessLapsed, checkTabAccess } from '../access.ts';
import { loadTabSessions, session } from '../state.ts';
import { t } from '../i18n.ts';

/** How often the detached window asks whether its tab's access lapsed or came back (a message, no injection). */
const POLL_MS = 1_000;

/**
 * "Access to this tab has lapsed" (data-testid access-lapsed): not an error of the page, so not
 * the error banner. Shown in the detached window only; the toolbar popup is itself the grant.
 */
export function AccessLapsed({ tabId, detached }: { tabId: number | undefined; detached: boolean }) {
  useEffect(() => {
    if (!detached || tabId === undefined) return undefined;
    const check = () => void checkTabAccess(tabId, () => {
      // Nothing was kept from before the lapse: read the tab now that it can be read.
      if (!session.value) void loadTabSessions();
    }).catch(() => {});
    check();
    const timer = setInterval(check, POLL_MS);
    return () => clearInterval(timer);
  }, [tabId, detached]);
  if (!accessLapsed.value) return null;
  return <p class="error" role="status" data-testid="access-lapsed" data-code="access-lapsed">{t('accessLapsed')}</p>;
}
