/**
 * Which tab the UI is about. A toolbar popup asks for the active tab; a detached window or a
 * test opens `popup.html?tabId=N`, because there the "current" tab would be the UI itself.
 */
import { pageApi } from '../ext/page-api.ts';

export async function targetTabId(search: string = location.search): Promise<number | undefined> {
  const fromUrl = new URLSearchParams(search).get('tabId');
  if (fromUrl !== null && /^\d+$/.test(fromUrl)) return Number(fromUrl);
  const [tab] = await pageApi().tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}
