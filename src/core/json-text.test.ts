import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BROKEN, quoted, SEED } from './broken-json.test.ts';
import { parseJsonText } from './json-text.ts';

describe('parseJsonText', () => {
  it('parses valid JSON', () => {
    assert.deepEqual(parseJsonText('{"a": [1, "x", null]}'), { ok: true, value: { a: [1, 'x', null] } });
  });

  it('reports a line and column, never an excerpt of the input', () => {
    for (const text of BROKEN) {
      const r = parseJsonText(text);
      assert.ok(!r.ok, text);
      assert.match(r.error, /^not valid JSON \(at line \d+, column \d+\)$/);
      assert.equal(quoted(r.error, text), undefined);
    }
    assert.deepEqual(parseJsonText(`{"seed": "${SEED}" "x"}`), { ok: false, error: 'not valid JSON (at line 1, column 56)' });
    assert.deepEqual(parseJsonText('{\n  "a": 1,\n  "b": tru\n}'), { ok: false, error: 'not valid JSON (at line 3, column 8)' });
    assert.deepEqual(parseJsonText('{"a": 1'), { ok: false, error: 'not valid JSON (at line 1, column 8)' });
  });

  it('agrees with JSON.parse on what is valid (fuzzed)', () => {
    fc.assert(fc.property(fc.oneof(fc.json(), fc.string(), fc.json().map((j) => j.slice(0, -1))), (text) => {
      let valid = true;
      try { JSON.parse(text); } catch { valid = false; }
      const r = parseJsonText(text);
      assert.equal(r.ok, valid);
      if (!r.ok) assert.match(r.error, /^not valid JSON( \(at line \d+, column \d+\))?$/);
    }), { numRuns: 2000, seed: 12 });
  });
});
