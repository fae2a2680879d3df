/**
 * The extension UI in a window of its own (`popup.html?tabId=N`): a toolbar popup closes as soon
 * as focus moves, e.g. to an approval page or a password manager, and takes its view with it.
 * Flows live in the background either way; the detached window just stays put.
 */
import { pageApi } from './page-api.ts';

export const detachedUiPath = (tabId: number | undefined): string => `popup.html${tabId === undefined ? '' : `?tabId=${tabId}`}`;

/** True when this page is already the detached form (bound to a tab by its URL). */
export const isDetached = (search: string = location.search): boolean => new URLSearchParams(search).has('tabId');

export async function openDetachedUi(tabId: number | undefined): Promise<void> {
  const api = pageApi();
  await api.windows.create({ url: api.runtime.getURL(detachedUiPath(tabId)), type: 'popup', width: 560, height: 760 });
}
