// The injected files are the unit-tested modules, bundled: this builds them exactly as
// scripts/build.mjs does and runs them as classic scripts in a fresh VM context, checking that the
// script's completion value is the promise of the dump and that nothing leaks into the global.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createContext, runInContext } from 'node:vm';
import { READER_ENTRIES, bundleReader } from '../../../scripts/reader-bundle.mjs';
import { elementRecords, nodeSubtle } from '../testing/element-encrypt.ts';
import { FakeIdb, fakeStorage } from '../testing/fake-idb.ts';

const root = new URL('../../..', import.meta.url).pathname;

test('page-reader.js evaluates to the dump (Element encrypted, read in the "page")', async () => {
  const code = await bundleReader(READER_ENTRIES['page-reader']!, { root });
  const { pickleKey, stored } = await elementRecords('syt_bundle_token', '@a:example.org', 'D');
  const idb = new FakeIdb({ 'matrix-react-sdk': { account: [['mx_access_token', stored]], pickleKey: [[['@a:example.org', 'D'], pickleKey]] } });
  const globals = {
    localStorage: fakeStorage({ mx_hs_url: 'https://hs.example.org', mx_user_id: '@a:example.org', mx_device_id: 'D' }),
    indexedDB: idb.factory,
    crypto: { subtle: nodeSubtle },
    location: { href: 'https://app.example/#/home' },
    isSecureContext: true,
    setTimeout, clearTimeout, TextEncoder, TextDecoder, ArrayBuffer, Uint8Array, DataView,
  };
  const context = createContext(globals);
  const before = new Set(Object.keys(context));
  const result: unknown = runInContext(code, context);
  assert.equal(typeof (result as Promise<unknown>).then, 'function', 'the completion value is a promise');
  // executeScript hands the value over as a structured clone; JSON is the same for a dump.
  const dump = JSON.parse(JSON.stringify(await result)) as { element: unknown; href: string };
  assert.deepEqual(dump.element, { idb: true, from: 'idb', token: { kind: 'decrypted', token: 'syt_bundle_token' } });
  assert.equal(dump.href, 'https://app.example/#/home');
  assert.deepEqual(Object.keys(context).filter((k) => !before.has(k)), [], 'no globals left behind');
});

test('element-live.js reads mxMatrixClientPeg and nothing else', async () => {
  const code = await bundleReader(READER_ENTRIES['element-live']!, { root });
  const client = { getUserId: () => '@a:example.org', getDeviceId: () => 'D', getHomeserverUrl: () => 'https://hs.example.org', getAccessToken: () => 'mat_live', getRefreshToken: () => 'NEVER' };
  const live: unknown = JSON.parse(JSON.stringify(await runInContext(code, createContext({ mxMatrixClientPeg: { get: () => client } }))));
  assert.deepEqual(live, { userId: '@a:example.org', deviceId: 'D', homeserver: 'https://hs.example.org', accessToken: 'mat_live' });
  assert.equal(await runInContext(code, createContext({})), null);
  assert.equal(await runInContext(code, createContext({ mxMatrixClientPeg: { get: () => { throw new Error('x'); } } })), null);
});
