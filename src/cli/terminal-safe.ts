/**
 * The CLI's one terminal-safe formatter. User IDs, device IDs, display names, key IDs, error
 * messages and errcodes come from the homeserver (or from whoever else wrote the account's data),
 * and a terminal obeys what it is sent: ESC starts a control sequence (clear the screen, retitle
 * the window, rewrite earlier lines), CR and backspace overwrite what was printed, bidirectional
 * overrides make a line read differently from what it holds, and invisible format characters
 * hide text. Such characters are shown as visible escapes (`\x1b`, `\u202e`) instead: the line
 * still says what the server sent, and cannot act on the terminal.
 */

/**
 * What is escaped: every control character (C0 including CR, LF and TAB; DEL; C1), every format
 * character (bidi embeddings, overrides, isolates and marks, zero-width characters, the BOM,
 * tag characters) and the Unicode line and paragraph separators.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
/** {@link UNSAFE} without LF: Cc is exactly U+0000–U+001F and U+007F–U+009F. */
const UNSAFE_BUT_NEWLINE = /[\0-\x09\x0b-\x1f\x7f-\x9f\p{Cf}\p{Zl}\p{Zp}]/gu;

const hex = (code: number, width: number): string => code.toString(16).padStart(width, '0');

function visibleEscape(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code < 0x100) return `\\x${hex(code, 2)}`;
  return code <= 0xffff ? `\\u${hex(code, 4)}` : `\\u{${hex(code, 1)}}`;
}

/** One line of text, every unsafe character (newlines included) replaced by a visible escape. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, visibleEscape);
}

/**
 * Text the CLI itself split into lines: each line made terminal-safe, the CLI's own newlines
 * kept. The output sinks apply this to everything printed, so a line that skipped
 * {@link terminalSafe} still cannot reach the terminal raw.
 */
export function terminalSafeLines(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, visibleEscape);
}

/**
 * JSON text for a terminal: `JSON.stringify` escapes C0 controls but leaves DEL, C1, bidi and
 * other format characters raw inside strings. They are rewritten as `\uXXXX` JSON escapes (an
 * astral character as its surrogate pair), so the text parses to exactly the same value and
 * holds nothing a terminal would act on. Outside strings, `JSON.stringify` output holds only
 * printable ASCII and its own newlines, so every match is inside a string.
 */
export function jsonTerminalSafe(json: string): string {
  return json.replace(UNSAFE, (ch) => {
    if (ch === '\n') return ch;
    let escaped = '';
    for (let i = 0; i < ch.length; i++) escaped += `\\u${hex(ch.charCodeAt(i), 4)}`;
    return escaped;
  });
}
