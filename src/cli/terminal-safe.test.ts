import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonTerminalSafe, terminalSafe, terminalSafeLines } from './terminal-safe.ts';

/** Everything a terminal would act on, or that would hide or reorder text. */
const HOSTILE = [
  '\u001b[2J', '\u001b]0;pwned\u0007', '\r', '\b', '\u007f', '\u0085', '\u009b31m', '\t', '\n',
  '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c',
  '\u200b', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u2028', '\u2029', '\u{e0041}',
];
const RAW = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

describe('terminalSafe', () => {
  it('shows every control, bidi and invisible format character as a visible escape', () => {
    for (const s of HOSTILE) {
      const out = terminalSafe(`a${s}b`);
      assert.doesNotMatch(out, RAW, JSON.stringify(s));
      assert.ok(out.startsWith('a\\') && out.endsWith('b'), JSON.stringify(s));
    }
    assert.equal(terminalSafe('\u001b[2J @evil:hs \u202eevil'), '\\x1b[2J @evil:hs \\u202eevil');
    assert.equal(terminalSafe('line\r\nbreak'), 'line\\x0d\\x0abreak');
  });

  it('leaves ordinary text alone, emoji and accents included', () => {
    for (const s of ['@alice:example.org', 'DEVICEID', 'Élodie’s phone 📱', 'ed25519:AbC+/=', '✓ ✗ — …', '中文 العربية']) assert.equal(terminalSafe(s), s);
  });

  it('terminalSafeLines keeps the newlines the CLI put and escapes the rest', () => {
    assert.equal(terminalSafeLines('one\u001b[1A\ntwo\r'), 'one\\x1b[1A\ntwo\\x0d');
  });

  it('terminalSafeLines is terminalSafe line by line, for every code point', () => {
    // One pattern without LF replaced a split/escape/join of each line (a large --json report
    // is tens of thousands of lines); this proves the two agree on every character.
    const lineByLine = (text: string): string => text.split('\n').map(terminalSafe).join('\n');
    for (let start = 0; start <= 0x10ffff; start += 0x1000) {
      let text = '';
      for (let cp = start; cp < start + 0x1000 && cp <= 0x10ffff; cp++) {
        if (cp >= 0xd800 && cp <= 0xdfff) continue; // lone surrogates: below
        text += `${String.fromCodePoint(cp)}\n`;
      }
      assert.equal(terminalSafeLines(text), lineByLine(text), `block U+${start.toString(16)}`);
    }
    const lone = 'a\ud800b\udc00\n\udbff';
    assert.equal(terminalSafeLines(lone), lineByLine(lone));
  });

  it('jsonTerminalSafe: valid JSON with the same value, nothing raw left', () => {
    const value = { displayName: `x${HOSTILE.join('')}y`, nested: ['\u202e', '\u0085\u009b'] };
    const text = jsonTerminalSafe(JSON.stringify(value, null, 2));
    assert.deepEqual(JSON.parse(text), value);
    for (const line of text.split('\n')) assert.doesNotMatch(line, RAW);
    assert.ok(text.includes('\\u202e') && text.includes('\\udb40\\udc41'));
  });
});
