// Functions passed to evalExtension()/evaluate() run inside extension contexts, where the
// native `browser` namespace exists (Chromium 148+ and Firefox).
declare const browser: import('webextension-polyfill').Browser;
