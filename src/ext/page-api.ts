/**
 * The few extension APIs the popup calls, typed by hand over the native namespace: `browser` in
 * Firefox, `chrome` in Chrome (whose MV3 APIs return promises since before our minimum, 120).
 * The popup does not bundle webextension-polyfill (≈10 KB of its size budget) for four calls;
 * the background keeps using src/ext/api.ts.
 */
export interface PageApi {
  runtime: {
    sendMessage(message: unknown): Promise<unknown>;
    getURL(path: string): string;
  };
  tabs: { query(query: { active: boolean; currentWindow: boolean }): Promise<Array<{ id?: number }>> };
  windows: { create(data: { url: string; type: 'popup'; width: number; height: number }): Promise<unknown> };
}

const scope = globalThis as { browser?: PageApi; chrome?: PageApi };

/** Resolved on first use, so importing this module outside an extension page does not throw. */
export function pageApi(): PageApi {
  const api = scope.browser ?? scope.chrome;
  if (!api?.runtime) throw new Error('No extension API in this page');
  return api;
}
