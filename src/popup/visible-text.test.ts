import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasHidden, visible, visibleJson } from './visible-text.ts';

test('control, bidi-override and zero-width characters are shown escaped', () => {
  assert.equal(visible('@alice:example.org'), '@alice:example.org');
  assert.equal(visible('@evil\u202Egro.elpmaxe:x'), '@evil\\u202Egro.elpmaxe:x');
  assert.equal(visible('Phone\u0000\u001b[31m'), 'Phone\\u0000\\u001B[31m');
  assert.equal(visible('a\u2066b\u2069c\u200Bd\uFEFF\u061C\u0085\u007F'), 'a\\u2066b\\u2069c\\u200Bd\\uFEFF\\u061C\\u0085\\u007F');
  assert.equal(visible('line\u2028sep\nnew'), 'line\\u2028sep\\u000Anew');
  // Ordinary non-ASCII text is left alone.
  assert.equal(visible('Téléphone de Zoë 📱 日本'), 'Téléphone de Zoë 📱 日本');
  assert.equal(hasHidden('@a:b'), false);
  assert.equal(hasHidden('@a\u202E:b'), true);
  assert.equal(hasHidden('@a\u202E:b'), true, 'no lastIndex state between calls');
});

test('raw JSON: bidi overrides escaped, and the text still parses to the same value', () => {
  const value = { unsigned: { device_display_name: 'Phone\u202Egnp.exe\u0007' } };
  const text = visibleJson(value);
  assert.ok(!/[\u202E\u0007]/.test(text));
  assert.deepEqual(JSON.parse(text), value);
  assert.equal(visibleJson(undefined), 'undefined');
});
