/**
 * The `tabAccess` answer for the detached window. A lapse is known from a failed read; it is also
 * seen without injecting anything: the browser shows a tab's URL to an extension holding only
 * activeTab while the grant lasts, so a tab whose URL we saw and now cannot see has lost it.
 * Only a successful read says the grant is back (read-tab.ts), never this probe.
 */
import { browser } from '../ext/api.ts';
import { tabAccess } from './tab-access-state.ts';

export async function tabAccessState(tabId: number): Promise<'granted' | 'lapsed'> {
  if (tabAccess.isLapsed(tabId)) return 'lapsed';
  let url: string | undefined;
  try {
    url = (await browser.tabs.get(tabId)).url;
  } catch {
    // A closed tab: nothing to restore; the popup's next read says no-tab.
    return 'granted';
  }
  if ((url === undefined || url === '') && tabAccess.knownUrl(tabId) !== undefined) {
    tabAccess.lapsed(tabId);
    return 'lapsed';
  }
  return 'granted';
}
