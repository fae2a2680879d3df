// Telling "access to this tab has lapsed" (activeTab withdrawn from an ordinary web app) apart
// from "this page is protected" (browser, extension and add-on store pages), in both browsers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyInjectionError, isProtectedUrl, MESSAGES } from './read-errors.ts';

const CHROMIUM_NO_ACCESS = 'Cannot access contents of the page. Extension manifest must request permission to access the respective host.';
const CHROMIUM_NO_ACCESS_URL = 'Cannot access contents of url "http://localhost:8080/#/home". Extension manifest must request permission to access this host.';
const FIREFOX_NO_ACCESS = 'Missing host permission for the tab';

test('a lapsed grant on a web app (URL hidden, last seen on a web app or read from) is access-lapsed in both browsers', () => {
  for (const message of [CHROMIUM_NO_ACCESS, CHROMIUM_NO_ACCESS_URL, FIREFOX_NO_ACCESS, 'Missing host permission for the tab or frames']) {
    // Without the grant the browser hides the tab's URL: the background knows the one it last read.
    assert.equal(classifyInjectionError(message, { knownUrl: 'https://app.element.io/#/home' }), 'access-lapsed', message);
    assert.equal(classifyInjectionError(message, { knownUrl: 'http://localhost:8080/' }), 'access-lapsed', message);
    // URL forgotten (a restarted background), but a session was read from the tab: a web app.
    assert.equal(classifyInjectionError(message, { readBefore: true }), 'access-lapsed', message);
    // Nothing known at all (a tab never read, e.g. about:blank): the error text alone says no access.
    assert.equal(classifyInjectionError(message), 'unreadable-page', message);
    assert.equal(classifyInjectionError(message, {}), 'unreadable-page', message);
  }
});

test('a web app whose URL is still visible but cannot be scripted is access-lapsed, not protected', () => {
  assert.equal(classifyInjectionError(FIREFOX_NO_ACCESS, { url: 'https://app.element.io/' }), 'access-lapsed');
  assert.equal(classifyInjectionError(CHROMIUM_NO_ACCESS, { url: 'https://chat.example.org/', knownUrl: 'https://chat.example.org/' }), 'access-lapsed');
});

test('protected pages stay unreadable-page, decided by the URL, whatever the error text', () => {
  for (const url of ['chrome://settings/', 'about:addons', 'https://addons.mozilla.org/en-US/firefox/', 'https://chromewebstore.google.com/detail/x', 'moz-extension://abc/popup.html']) {
    assert.equal(classifyInjectionError(CHROMIUM_NO_ACCESS, { url }), 'unreadable-page', url);
    assert.equal(classifyInjectionError(FIREFOX_NO_ACCESS, { url }), 'unreadable-page', url);
    // URL hidden now, but the last one seen was protected.
    assert.equal(classifyInjectionError(FIREFOX_NO_ACCESS, { knownUrl: url }), 'unreadable-page', url);
  }
  // A visible URL wins over what was seen before (the tab navigated to a store page).
  assert.equal(classifyInjectionError(CHROMIUM_NO_ACCESS, { url: 'https://addons.mozilla.org/', knownUrl: 'https://app.element.io/' }), 'unreadable-page');
  assert.equal(classifyInjectionError(CHROMIUM_NO_ACCESS, { url: 'https://app.element.io/', knownUrl: 'chrome://newtab/' }), 'access-lapsed');
});

test('errors that name a protected page by themselves stay unreadable-page', () => {
  assert.equal(classifyInjectionError('Cannot access a chrome:// URL', { knownUrl: 'https://app.element.io/' }), 'unreadable-page');
  assert.equal(classifyInjectionError('The extensions gallery cannot be scripted.'), 'unreadable-page');
  assert.equal(classifyInjectionError('Frame with ID 0 is showing error page'), 'unreadable-page');
  assert.equal(classifyInjectionError('No tab with id: 5.', { knownUrl: 'https://app.element.io/' }), 'no-tab');
  assert.equal(classifyInjectionError('Something else', { knownUrl: 'https://app.element.io/' }), 'read-failed');
});

test('look-alike, odd and hostile URLs of web apps are not protected pages', () => {
  for (const url of [
    'https://addons.mozilla.org.evil.example/',
    'https://evil.example/addons.mozilla.org',
    'https://evil.example/?u=chrome://settings',
    'https://user:chrome%3A@app.element.io/',
    'https://xn--ddons-mozilla-org-5nb.example/',
    'https://chrome.google.com.evil.example/webstore',
    'https://app.element.io:8443/#/room/!x:chrome.google.com',
  ]) {
    assert.equal(isProtectedUrl(url), false, url);
    assert.equal(classifyInjectionError(FIREFOX_NO_ACCESS, { url }), 'access-lapsed', url);
  }
});

test('odd spellings of protected URLs are still protected', () => {
  for (const url of ['CHROME://settings', 'About:Blank', 'https://ADDONS.MOZILLA.ORG/', 'https://addons.mozilla.org:443/x', 'not a url at all', 'http://[::1', '\u0000chrome://x']) {
    assert.equal(isProtectedUrl(url), true, JSON.stringify(url));
    assert.equal(classifyInjectionError(CHROMIUM_NO_ACCESS, { url }), 'unreadable-page', JSON.stringify(url));
  }
});

test('the lapsed wording says what happened and how to restore it, and never calls the page protected', () => {
  const text = MESSAGES.accessLapsed;
  assert.match(text, /access to this tab has lapsed/i);
  assert.match(text, /toolbar/i);
  assert.doesNotMatch(text, /protected|can\u2019t be read by extensions|browser pages/i);
  assert.notEqual(text, MESSAGES.unreadable);
});
