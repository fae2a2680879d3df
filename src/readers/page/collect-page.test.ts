import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectPageDump, type PageEnv } from './collect-page.ts';
import { parseDump } from '../parse/parse-dump.ts';
import { elementRecords, nodeSubtle as subtle } from '../testing/element-encrypt.ts';
import { FakeIdb, fakeStorage, type FakeDbs } from '../testing/fake-idb.ts';

const USER = '@alice:example.org';
const env = (storage: Record<string, string>, idb: FakeIdb, over: Partial<PageEnv> = {}): PageEnv => ({
  localStorage: fakeStorage(storage), indexedDB: idb.factory, subtle, href: 'https://app.example/', isSecureContext: true, ...over,
});
const elementStorage = { mx_hs_url: 'https://hs.example.org', mx_user_id: USER, mx_device_id: 'DEV', mx_has_access_token: 'true', mx_refresh_token: 'NEVER' };

test('Element, encrypted: the page side decrypts with the IDB pickle key and never creates or writes', async () => {
  const { pickleKey, stored } = await elementRecords('syt_real_token_1', USER, 'DEV');
  const dbs: FakeDbs = { 'matrix-react-sdk': { account: [['mx_access_token', stored], ['mx_refresh_token', { iv: 'x', ciphertext: 'y', mac: 'z' }]], pickleKey: [[[USER, 'DEV'], pickleKey]] } };
  const idb = new FakeIdb(dbs);
  const dump = await collectPageDump(env(elementStorage, idb));
  assert.deepEqual(dump.element, { idb: true, from: 'idb', token: { kind: 'decrypted', token: 'syt_real_token_1' } });
  assert.equal(dump.storage.mx_refresh_token, undefined, 'the refresh token key is never read');
  assert.deepEqual(idb.created, []);
  assert.equal(idb.openConnections, 0, 'every connection is closed');
  assert.equal(parseDump(dump).candidates[0]?.accessToken, 'syt_real_token_1');
});

test('Element, legacy: a localStorage token when IDB has none', async () => {
  const idb = new FakeIdb();
  const dump = await collectPageDump(env({ ...elementStorage, mx_access_token: 'syt_legacy_token' }, idb));
  assert.deepEqual(dump.element, { idb: false, from: 'localStorage', token: { kind: 'plain', token: 'syt_legacy_token' } });
  assert.deepEqual(idb.created, []);
});

test('Element, encrypted, insecure origin: no-webcrypto', async () => {
  const { pickleKey, stored } = await elementRecords('syt_real_token_1', USER, 'DEV');
  const idb = new FakeIdb({ 'matrix-react-sdk': { account: [['mx_access_token', stored]], pickleKey: [[[USER, 'DEV'], pickleKey]] } });
  const dump = await collectPageDump(env(elementStorage, idb, { subtle: undefined, isSecureContext: false }));
  assert.equal(dump.element?.token.kind === 'error' && dump.element.token.code, 'no-webcrypto');
  assert.equal(parseDump(dump).problems[0]?.code, 'insecure-origin');
});

test('without indexedDB.databases() the open is aborted, so nothing is created either', async () => {
  const idb = new FakeIdb();
  idb.listable = false;
  const dump = await collectPageDump(env({ ...elementStorage, 'flutter.im.fluffychat.store.clients': '["FluffyChat web"]' }, idb));
  assert.deepEqual(idb.created, []);
  assert.deepEqual(dump.element?.token, { kind: 'none' });
  assert.deepEqual(dump.flutter, [{ app: 'FluffyChat', db: 'FluffyChat web', exists: false, values: {} }]);
});

test('FluffyChat: box_client values of every listed client, never refresh_token', async () => {
  const idb = new FakeIdb({
    'FluffyChat web': { box_client: [['token', 'syt_f_token_1'], ['homeserver_url', 'https://hs.example.org'], ['user_id', '@f:example.org'], ['device_id', 'FD'], ['refresh_token', 'NEVER']] },
    'FluffyChat-1': { other_box: [] },
  });
  const dump = await collectPageDump(env({ 'flutter.im.fluffychat.store.clients': '["FluffyChat web","FluffyChat-1","Gone"]' }, idb));
  assert.deepEqual(dump.flutter, [
    { app: 'FluffyChat', db: 'FluffyChat web', exists: true, values: { token: 'syt_f_token_1', homeserver_url: 'https://hs.example.org', user_id: '@f:example.org', device_id: 'FD' } },
    { app: 'FluffyChat', db: 'FluffyChat-1', exists: true, values: {}, error: 'the database has no box_client store' },
    { app: 'FluffyChat', db: 'Gone', exists: false, values: {} },
  ]);
  assert.ok(!JSON.stringify(dump).includes('NEVER'));
  assert.deepEqual(idb.created, []);
  assert.equal(idb.openConnections, 0);
});

test('a page without Matrix storage: empty dump, no database touched', async () => {
  const idb = new FakeIdb();
  const dump = await collectPageDump(env({ unrelated: 'x' }, idb));
  assert.deepEqual(dump.storage, {});
  assert.equal(dump.element, null);
  assert.deepEqual(dump.flutter, []);
  assert.deepEqual(idb.created, []);
});

test('storage that throws is a note, not a crash', async () => {
  const dump = await collectPageDump({ ...env({}, new FakeIdb()), localStorage: { getItem: () => { throw new Error('SecurityError'); } } });
  assert.ok(dump.notes.some((n) => n.includes('SecurityError')));
  assert.deepEqual(dump.storage, {});
});
