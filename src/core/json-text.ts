/**
 * JSON text the user pasted or loaded (a cross-signing key, a key export), parsed with an error
 * message of our own. V8's `JSON.parse` messages quote part of the input
 * (`Unexpected token '}', ..."seed": "abc..." is not valid JSON`), and that input may hold a
 * private seed that would then be printed, logged or shown in the popup.
 */
import { fail, ok, type Result } from './result.ts';
import { say } from './words/say.ts';

const WS = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/**
 * The offset of the first syntax error in `text` (RFC 8259 grammar), found by a scanner that
 * only moves forward, so the message can point at it without quoting anything.
 */
function errorOffset(text: string): number {
  let i = 0;
  const skip = (): void => { while (i < text.length && WS.has(text[i]!)) i++; };
  const literal = (word: string): boolean => {
    if (!text.startsWith(word, i)) return false;
    i += word.length;
    return true;
  };
  const string = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) { i++; return true; }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) { i++; return false; }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else { i++; return false; }
      } else i++;
    }
    return false;
  };
  const number = (): boolean => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null) return false;
    i += m[0].length;
    return true;
  };
  // Recursive, so bounded: deeper nesting is reported as the error (no pasted key nests deeply).
  const value = (depth: number): boolean => {
    if (depth > 512) return false;
    skip();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      skip();
      if (text[i] === close) { i++; return true; }
      for (;;) {
        if (c === '{') {
          skip();
          if (!string()) return false;
          skip();
          if (text[i] !== ':') return false;
          i++;
        }
        if (!value(depth + 1)) return false;
        skip();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === close) { i++; return true; }
        return false;
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return number();
  };
  if (value(0)) {
    skip();
    if (i === text.length) return -1;
  }
  return i;
}

/** 1-based line and column of an offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split('\n');
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}

/**
 * Parse untrusted JSON text. The error is `not valid JSON (at line L, column C)`: a position,
 * never an excerpt of the input.
 */
export function parseJsonText(text: string): Result<unknown, string> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    const offset = errorOffset(text);
    if (offset < 0) return fail(say('core_base_json_invalid'));
    const { line, column } = lineColumn(text, Math.min(offset, text.length));
    return fail(say('core_base_json_invalid_at', line, column));
  }
}
