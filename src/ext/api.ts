/**
 * The one importer of webextension-polyfill. On Chrome 148+ and Firefox it re-exports the
 * native `browser` namespace; on older Chrome it wraps `chrome.*` in promises. Keeping it in one
 * file means dropping the polyfill later is a one-line change.
 */
import browser from 'webextension-polyfill';

export type Browser = typeof browser;
export type MessageSender = browser.Runtime.MessageSender;
export { browser };
