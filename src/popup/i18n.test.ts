// The translations (docs/design.md#translations): every language has every message, with the same
// substitutions; no message is missing, empty or unused; German is German. And t/tp/tj substitute
// as the popup expects (through a stand-in of the browser API; e2e/translations.test.ts checks
// the real browsers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { isCallExpression, isIdentifier, isNoSubstitutionTemplateLiteral, isStringLiteral } from 'typescript/unstable/ast/is';
import { filesUnder, getMessageFrom, installMessages, lineOf, LOCALES_DIR, parseSources, readMessages, type MessagesFile } from './i18n-testing.ts';
import type { Node } from 'typescript/unstable/ast';
import { t, tj, tp } from './i18n.ts';
import { READ_ERROR_WORDS } from '../readers/parse/read-errors.ts';

const LANGS = readdirSync(LOCALES_DIR).sort();
const en = readMessages('en');
const SRC = new URL('../', import.meta.url).pathname;
const MANIFEST = readFileSync(new URL('../../manifest.json', import.meta.url), 'utf8');

/** Messages German may keep as English: names and terms German uses as they are. */
const SAME_IN_GERMAN = new Set([
  'extName', 'extShortName', // the product's name
  'homeserver', // Matrix's own term, used as is in German Matrix clients
  'tokenHeading', 'colEd25519', 'backupVersion', // the same word in German
  'roleName_master', // "Master" is the key's name in German clients too
]);

const substitutions = (message: string) => [...new Set(message.match(/\$[1-9]/g) ?? [])].sort();
const placeholders = (m: MessagesFile[string]) => Object.entries(m.placeholders ?? {}).map(([k, v]) => `${k.toLowerCase()}=${v.content}`).sort();

test('the locales are English and German, English the default', () => {
  assert.deepEqual(LANGS, ['de', 'en']);
  assert.match(MANIFEST, /"default_locale": "en"/);
});

for (const lang of LANGS) {
  test(`${lang}: valid message names, none empty, plural pairs complete`, () => {
    const messages = readMessages(lang);
    const lower = new Set<string>();
    for (const [id, m] of Object.entries(messages)) {
      // Chrome refuses other characters; both browsers look names up case-insensitively.
      assert.match(id, /^[A-Za-z0-9_]+$/, `${lang}: ${id}`);
      assert.ok(!lower.has(id.toLowerCase()), `${lang}: ${id} differs from another only by case`);
      lower.add(id.toLowerCase());
      assert.equal(typeof m.message, 'string', `${lang}: ${id}`);
      assert.notEqual(m.message.trim(), '', `${lang}: ${id} is empty`);
      const plural = /^(.*)_(one|other)$/.exec(id);
      if (plural) assert.ok(messages[`${plural[1]}_${plural[2] === 'one' ? 'other' : 'one'}`], `${lang}: ${id} has no pair`);
    }
  });
}

test('every language has exactly the messages English has, with the same substitutions', () => {
  for (const lang of LANGS.filter((l) => l !== 'en')) {
    const other = readMessages(lang);
    assert.deepEqual(Object.keys(other).sort(), Object.keys(en).sort(), `${lang}: missing or extra messages`);
    for (const [id, m] of Object.entries(en)) {
      assert.deepEqual(substitutions(other[id]!.message), substitutions(m.message), `${lang}: ${id} substitutions`);
      assert.deepEqual(placeholders(other[id]!), placeholders(m), `${lang}: ${id} placeholders`);
    }
  }
});

test('German is translated, not English copied', () => {
  const de = readMessages('de');
  const copied = Object.keys(en).filter((id) => /\p{L}/u.test(en[id]!.message) && de[id]!.message === en[id]!.message && !SAME_IN_GERMAN.has(id));
  assert.deepEqual(copied, []);
  for (const id of SAME_IN_GERMAN) assert.ok(en[id], `${id} in the allowlist is no message`);
});

/**
 * Where message ids are written out: the popup, the read errors' READ_ERROR_WORDS, and the core's
 * `say('core_…')` wherever the core, the background or the tab readers' parsers say a sentence.
 */
const WORD_SOURCES = ['popup/', 'readers/parse/', 'core/', 'background/'];

/** Source files (no tests) and the string literals in them; message ids are written out whole. */
const sourceFiles = (dir: string): string[] =>
  filesUnder(dir, (name) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('i18n-testing.ts'));

function scan(): { literals: Set<string>; calls: Array<{ fn: string; id: string; where: string }> } {
  const literals = new Set<string>();
  const calls: Array<{ fn: string; id: string; where: string }> = [];
  const files = Object.fromEntries(sourceFiles(SRC).map((f) => [f.slice(SRC.length), readFileSync(f, 'utf8')]));
  for (const [name, source] of parseSources(files)) {
    const visit = (node: Node): void => {
      // A map of codes to ids (e.g. a repair kind to its name) is in the popup, or beside the
      // background's messages that cross to it with their id (WORD_SOURCES).
      if ((isStringLiteral(node) || isNoSubstitutionTemplateLiteral(node)) && WORD_SOURCES.some((w) => name.startsWith(w))) literals.add(node.text);
      if (isCallExpression(node) && isIdentifier(node.expression) && ['t', 'tp', 'tj'].includes(node.expression.text)) {
        const first = node.arguments[0];
        if (first && isStringLiteral(first)) calls.push({ fn: node.expression.text, id: first.text, where: `src/${name}:${lineOf(source, node)}` });
      }
      node.forEachChild(visit);
    };
    source.forEachChild(visit);
  }
  return { literals, calls };
}

test('every message the code asks for exists in English, and every English message is used', () => {
  const { literals, calls } = scan();
  assert.ok(calls.length > 100, `only ${calls.length} calls found: is the scan broken?`);
  const missing = calls.filter((c) => (c.fn === 'tp' ? !en[`${c.id}_one`] || !en[`${c.id}_other`] : !en[c.id])).map((c) => `${c.fn}('${c.id}') at ${c.where}`);
  assert.deepEqual(missing, []);
  // Unused: neither written out in the code (a call or a map of codes to ids) nor in the manifest.
  const unused = Object.keys(en).filter((id) => {
    const base = id.replace(/_(one|other)$/, '');
    return !literals.has(id) && !literals.has(base) && !MANIFEST.includes(`__MSG_${id}__`);
  });
  assert.deepEqual(unused, []);
  // Ids the background sends (src/ext/wire.ts `words`) are no t() call: each must exist too.
  assert.deepEqual(Object.values(READ_ERROR_WORDS).filter((id) => !en[id]), []);
});

test('the manifest takes its name, description and title from the messages', () => {
  const manifest = JSON.parse(MANIFEST) as { name: string; short_name: string; description: string; action: { default_title: string } };
  for (const value of [manifest.name, manifest.short_name, manifest.description, manifest.action.default_title]) {
    const id = /^__MSG_(\w+)__$/.exec(value)?.[1];
    assert.ok(id && en[id], `${value} is not a message`);
  }
});

test('t substitutes, tp picks the plural form by the UI language, tj places elements', () => {
  installMessages('en');
  assert.equal(t('copyLabel', 'user ID'), 'Copy user ID');
  assert.equal(tp('moreSessions', 1), '1 more session found, not usable');
  assert.equal(tp('moreSessions', 2), '2 more sessions found, not usable');
  assert.equal(tp('verdictProblems', 3, tp('causes', 1)), '✗ 3 problems found, 1 cause');
  const host = { type: 'span', host: true };
  const user = { type: 'span', user: true };
  assert.deepEqual(tj('hsBlocked', host as never, user as never), ['Repairs and password prompts are blocked. Confirm only if you know ', host, ' is where ', user, ' lives.']);
  installMessages('de');
  assert.equal(tp('moreSessions', 1), '1 weitere Sitzung gefunden, nicht nutzbar');
  assert.equal(tp('moreSessions', 0), '0 weitere Sitzungen gefunden, nicht nutzbar');
  // German puts the user before the host: tj follows the translation's order.
  assert.deepEqual(tj('hsBlocked', host as never, user as never).filter((x) => typeof x !== 'string'), [user, host]);
  installMessages('en');
});

test('the stand-in substitutes as the browsers do', () => {
  const m: MessagesFile = { a: { message: 'x $1 $$ $2 $NAME$', placeholders: { name: { content: '$2!' } } } };
  assert.equal(getMessageFrom(m, 'a', ['one', 'two']), 'x one $ two two!');
  assert.equal(getMessageFrom(m, 'a', 'one'), 'x one $  !');
  assert.equal(getMessageFrom(m, 'nope'), '');
});
