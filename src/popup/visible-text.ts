/**
 * Text from the page or the homeserver (user IDs, device IDs, display names) shown so that what
 * the person reads is what the bytes say: control characters and the invisible formatting
 * characters that reorder or hide text (bidi overrides and isolates, e.g. U+202E, which can make
 * `@evil:example.org` read as another ID; zero-width characters) are shown as `\uXXXX`.
 */

// C0/C1 controls and DEL; bidi marks, embeddings, overrides, isolates; zero-width and BOM;
// line/paragraph separators.
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** HIDDEN minus C0: JSON.stringify escapes C0 inside strings, and its own layout uses \n. */
const HIDDEN_IN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const escapeOne = (c: string) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** `text` with every hidden character replaced by its `\uXXXX` escape. */
export function visible(text: string): string {
  return text.replace(HIDDEN, escapeOne);
}

/** Did `visible` have to escape anything (the popup marks such a value as suspicious)? */
export function hasHidden(text: string): boolean {
  // A fresh non-global copy: `test` on the global HIDDEN would carry lastIndex between calls.
  return new RegExp(HIDDEN.source).test(text);
}

/**
 * Pretty JSON with hidden characters escaped. JSON.stringify escapes C0 controls but not bidi
 * overrides; `\uXXXX` is also JSON's own escape, so the text still parses to the same value.
 */
export function visibleJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2) as string | undefined;
  return text === undefined ? 'undefined' : text.replace(HIDDEN_IN_JSON, escapeOne);
}
