/**
 * The detached window's view of the extension's access to its tab. The window has no activeTab
 * grant of its own: it asks the background, which learns of a lapse from failed reads (or a URL
 * it can no longer see) and of its end from the read the toolbar popup does when clicked.
 */
import { signal } from './signal.ts';
import { send } from '../ext/messaging.ts';

/** True while reads of the tab wait for the person to click the toolbar icon on it. */
export const accessLapsed = signal(false);

/** Ask once; `onRestored` runs when a lapse this window showed is over. */
export async function checkTabAccess(tabId: number, onRestored: () => void): Promise<void> {
  const { access } = await send('tabAccess', { tabId });
  const was = accessLapsed.value;
  accessLapsed.value = access === 'lapsed';
  if (was && access === 'granted') onRestored();
}
