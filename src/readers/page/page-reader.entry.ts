/**
 * Entry of readers/page-reader.js, injected with
 * `scripting.executeScript({ target: { tabId }, files: ['readers/page-reader.js'] })`.
 * scripts/reader-bundle.mjs wraps the bundle so the script's completion value is this module's
 * default export: the promise of the dump, which executeScript awaits (Chromium and Firefox).
 */
import { collectPageDump } from './collect-page.ts';

export default collectPageDump({
  localStorage: (() => {
    try {
      return globalThis.localStorage;
    } catch {
      // Storage access can throw (sandboxed or storage-blocked documents).
      return undefined;
    }
  })(),
  indexedDB: globalThis.indexedDB,
  // crypto.subtle is undefined outside secure contexts.
  subtle: globalThis.crypto?.subtle ?? undefined,
  href: globalThis.location.href,
  isSecureContext: globalThis.isSecureContext === true,
});
