import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lruMap } from './lru-map.ts';

test('lruMap drops the least recently used entry, a get counting as a use', () => {
  const m = lruMap<string, number>(2);
  m.set('a', 1);
  m.set('b', 2);
  assert.equal(m.get('a'), 1); // a is now newer than b
  m.set('c', 3);
  assert.equal(m.get('b'), undefined);
  assert.equal(m.get('a'), 1);
  assert.equal(m.get('c'), 3);
  assert.equal(m.size, 2);
  m.set('a', 4); // replacing does not evict
  assert.equal(m.size, 2);
  assert.equal(m.get('c'), 3);
  m.delete('c');
  assert.equal(m.size, 1);
});

test('lruMap keeps null values as present', () => {
  const m = lruMap<string, null>(1);
  m.set('k', null);
  assert.equal(m.get('k'), null);
});
