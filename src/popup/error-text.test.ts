// Tab read errors reach the popup with `words`: in English exactly the background's MESSAGES, in
// German German; any other error keeps its English message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installMessages } from './i18n-testing.ts';
import { MESSAGES, SessionReadError } from '../readers/parse/read-errors.ts';
import { RemoteError, toWireError } from '../ext/wire.ts';
import { errorText, wordsText } from './error-text.ts';
import { wordsOf } from '../readers/parse/read-errors.ts';

const APPS = ['Element', 'Cinny', 'Sable', 'Hydrogen', 'FluffyChat', 'Commet'] as const;
const ALL: string[] = [
  MESSAGES.notMatrix, MESSAGES.unreadable, MESSAGES.noTab, MESSAGES.accessLapsed,
  MESSAGES.invalidToken('manual'), MESSAGES.softLogout('manual'),
  ...APPS.flatMap((app) => [MESSAGES.insecure(app), MESSAGES.invalidToken(app), MESSAGES.softLogout(app)]),
];
/** Through the message boundary, as the popup receives it. */
const received = (message: string) => new RemoteError(toWireError(new SessionReadError('not-matrix', message)));

test('every read error message crosses the wire with words that say it exactly, in English', () => {
  installMessages('en');
  for (const message of ALL) {
    const e = received(message);
    assert.ok(e.words, message);
    assert.equal(errorText(e), message);
  }
});

test('in German they are German, naming the app; other errors keep their message', () => {
  installMessages('de');
  for (const message of ALL) assert.notEqual(errorText(received(message)), message);
  assert.match(errorText(received(MESSAGES.insecure('Cinny'))), /^Cinny speichert/);
  assert.equal(errorText(received('Couldn’t reach example.org: timeout')), 'Couldn’t reach example.org: timeout');
  assert.equal(errorText(new RemoteError({ name: 'E', message: 'm', words: { id: 'noSuchMessage', subs: [] } })), 'm');
  // A rejected session listed beside usable ones (session-validate.ts adds its words).
  const rejected = { message: MESSAGES.softLogout('Element'), words: wordsOf(MESSAGES.softLogout('Element')) };
  assert.match(wordsText(rejected), /^Die Sitzung von Element/);
  assert.equal(wordsText({ message: 'other' }), 'other');
  installMessages('en');
});
