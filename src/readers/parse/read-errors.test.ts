import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyInjectionError, isProtectedUrl, SessionReadError } from './read-errors.ts';

test('browser, extension and store pages are protected', () => {
  for (const url of [
    'chrome://extensions/', 'chrome://newtab/', 'about:blank', 'about:addons', 'edge://settings', 'moz-extension://1234/popup.html',
    'chrome-extension://abcdef/popup.html', 'view-source:https://example.org', 'https://chromewebstore.google.com/detail/x',
    'https://chrome.google.com/webstore/detail/x', 'https://addons.mozilla.org/en-US/firefox/', 'devtools://devtools/bundled/x.html',
  ]) assert.equal(isProtectedUrl(url), true, url);
});

test('web apps are not', () => {
  for (const url of ['https://app.element.io/#/home', 'http://localhost:8080/', 'https://chrome.google.com/search', 'https://app.cinny.in/', undefined, '']) {
    assert.equal(isProtectedUrl(url), false, String(url));
  }
});

test('injection errors of both browsers are classified', () => {
  // The no-permission texts are protected pages only on a protected URL (else access-lapsed: access-lapsed.test.ts).
  assert.equal(classifyInjectionError('Cannot access contents of the page. Extension manifest must request permission to access the respective host.', { url: 'chrome://settings/' }), 'unreadable-page');
  assert.equal(classifyInjectionError('Cannot access a chrome:// URL'), 'unreadable-page');
  assert.equal(classifyInjectionError('The extensions gallery cannot be scripted.'), 'unreadable-page');
  assert.equal(classifyInjectionError('Missing host permission for the tab', { url: 'about:addons' }), 'unreadable-page');
  assert.equal(classifyInjectionError('Frame with ID 0 is showing error page'), 'unreadable-page');
  assert.equal(classifyInjectionError('No tab with id: 123.'), 'no-tab');
  assert.equal(classifyInjectionError('Invalid tab ID: 123'), 'no-tab');
  assert.equal(classifyInjectionError('Something else'), 'read-failed');
});

test('SessionReadError carries its code', () => {
  const e = new SessionReadError('not-matrix', 'No Matrix session found in this tab.');
  assert.equal(e.name, 'SessionReadError');
  assert.equal(e.code, 'not-matrix');
  assert.ok(e instanceof Error);
});
