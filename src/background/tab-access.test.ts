import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTabAccess } from './tab-access.ts';

test('a lapsed tab is remembered until a read succeeds; waiters carry on then, and only for that tab', async () => {
  const access = createTabAccess();
  access.seen(7, 'https://app.element.io/');
  assert.equal(access.knownUrl(7), 'https://app.element.io/');
  access.lapsed(7);
  assert.equal(access.isLapsed(7), true);
  let done7 = false;
  let done8 = false;
  const w7 = access.whenRestored(7).then(() => { done7 = true; });
  void access.whenRestored(8).then(() => { done8 = true; });
  access.restored(7);
  await w7;
  assert.equal(done7, true);
  assert.equal(access.isLapsed(7), false);
  await Promise.resolve();
  assert.equal(done8, false);
});

test('a closed tab fails its waiters with no-tab and is forgotten', async () => {
  const access = createTabAccess();
  access.seen(3, 'https://app.element.io/');
  access.lapsed(3);
  const waiting = access.whenRestored(3);
  access.gone(3);
  await assert.rejects(waiting, (e: Error & { code?: string }) => e.code === 'no-tab');
  assert.equal(access.isLapsed(3), false);
  assert.equal(access.knownUrl(3), undefined);
});
