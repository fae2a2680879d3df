/**
 * The wording of the access-lapsed state, on its own so the popup can show it without bundling
 * every read error (popup.js has a size budget).
 */
export const ACCESS_LAPSED = 'Access to this tab has lapsed: the browser withdrew the extension\u2019s permission to read it (it does so when the page reloads or visits another site). Click the Cross-Signing Doctor icon in the toolbar while that tab is in front to restore it; your session and any repair in progress are kept meanwhile.';
