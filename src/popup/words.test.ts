import { test } from 'node:test';
import { installMessages } from './i18n-testing.ts';
import assert from 'node:assert/strict';
import { authOfferText, CROSS_SIGNED_STATES, crossSignedWords, stepAuthHint } from './words.ts';

installMessages('en');

test('each device state has its own words', () => {
  const words = CROSS_SIGNED_STATES.map(crossSignedWords);
  assert.equal(words.length, 4);
  assert.equal(new Set(words).size, words.length);
  assert.equal(crossSignedWords('old-key'), 'signed by a replaced self-signing key');
});

test('the confirmation offer is said once, naming the way used', () => {
  const text = authOfferText({ flows: ['m.login.password'], chosen: 'm.login.password' });
  assert.equal(text, 'The homeserver asks to confirm this request with your password.');
  assert.equal(text.match(/m\.login\.password/g), null, 'no stage name repeated');
  assert.equal(authOfferText({ flows: ['m.oauth'], chosen: 'm.oauth' }), 'The homeserver asks to confirm this request by approving it in your account settings.');
  assert.equal(authOfferText({ flows: ['org.matrix.cross_signing_reset'], chosen: 'org.matrix.cross_signing_reset' }),
    'The homeserver asks to confirm this request by approving it in your account settings.');
  assert.equal(authOfferText({ flows: ['m.login.password', 'm.login.sso'], chosen: 'm.login.password' }),
    'The homeserver asks to confirm this request with your password. It also offers: m.login.sso.');
  assert.match(authOfferText({ flows: ['m.login.sso'], chosen: null }), /cannot complete \(it offers: m\.login\.sso\)/);
  assert.match(authOfferText({ flows: [], chosen: null }), /offers no way/);
  assert.equal(authOfferText({ flows: ['m.login.dummy → m.login.password'], chosen: 'm.login.dummy → m.login.password' }),
    'The homeserver asks to confirm this request without asking you anything, then with your password.');
});

test('a step never promises a password prompt on a server that approves through OAuth', () => {
  assert.doesNotMatch(stepAuthHint({ chosen: 'm.oauth' }), /password/);
  assert.match(stepAuthHint({ chosen: 'm.oauth' }), /account settings/);
  assert.match(stepAuthHint({ chosen: 'm.login.password' }), /with your password\.$/);
  // Not known yet: both ways named, neither promised.
  assert.match(stepAuthHint(undefined), /password, or by approving/);
});
