import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapLimited } from './map-limited.ts';

describe('mapLimited', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running -= 1;
      return n * 2;
    });
    assert.deepEqual(out, [2, 4, 6, 8, 10, 12, 14]);
    assert.equal(peak, 3);
  });

  it('starts the next task as soon as one ends, not after a whole batch', async () => {
    const started: number[] = [];
    const release = new Map<number, () => void>();
    const run = mapLimited([0, 1, 2], 2, (n) => new Promise<number>((resolve) => {
      started.push(n);
      release.set(n, () => resolve(n));
    }));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [0, 1]);
    release.get(1)!();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [0, 1, 2], 'item 2 started while item 0 was still running');
    release.get(0)!();
    release.get(2)!();
    assert.deepEqual(await run, [0, 1, 2]);
  });

  it('answers an empty list, and runs one at a time for a limit below 1', async () => {
    assert.deepEqual(await mapLimited([], 4, async (n: number) => n), []);
    let running = 0;
    let peak = 0;
    await mapLimited([1, 2, 3], 0, async () => {
      peak = Math.max(peak, ++running);
      await Promise.resolve();
      running--;
    });
    assert.equal(peak, 1);
  });
});
