import { test } from 'node:test';
import { installMessages } from './i18n-testing.ts';
import assert from 'node:assert/strict';
import { deviceMatches, type FilterableDevice } from './device-filter.ts';

installMessages('en');

const d = (deviceId: string, displayName: string | null, crossSigned: FilterableDevice['crossSigned']): FilterableDevice => ({ deviceId, displayName, crossSigned });
const devices = [d('ABCDEF', 'Element Desktop', 'valid'), d('PHONE1', 'Pixel phone', 'absent'), d('OLDONE', null, 'old-key'), d('BADSIG', 'Laptop', 'invalid')];
const ids = (filter: string) => devices.filter((x) => deviceMatches(filter, x)).map((x) => x.deviceId);

test('an empty filter shows every device', () => {
  assert.deepEqual(ids('  '), ['ABCDEF', 'PHONE1', 'OLDONE', 'BADSIG']);
});

test('devices are found by ID, by name and by state, case-insensitively', () => {
  assert.deepEqual(ids('phone1'), ['PHONE1']);
  assert.deepEqual(ids('element'), ['ABCDEF']);
  assert.deepEqual(ids('old-key'), ['OLDONE']);
  assert.deepEqual(ids('replaced'), ['OLDONE']);
  assert.deepEqual(ids('not cross-signed'), ['PHONE1'], 'the state\'s words, not every "cross-signed" device');
  assert.deepEqual(ids('cross-signed'), ['ABCDEF'], 'the words of the valid state exactly');
  assert.deepEqual(ids('pixel absent'), ['PHONE1'], 'several words must all match');
  assert.deepEqual(ids('nothing-like-this'), []);
});
