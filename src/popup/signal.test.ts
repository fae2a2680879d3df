import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batch, computed, effect, signal } from './signal.ts';

test('signal: effects re-run on change, not on an equal value, and stop when disposed', () => {
  const a = signal(1);
  const seen: number[] = [];
  const dispose = effect(() => void seen.push(a.value));
  a.value = 2;
  a.value = 2;
  dispose();
  a.value = 3;
  assert.deepEqual(seen, [1, 2]);
  assert.equal(a.peek(), 3);
});

test('computed follows what it read; batch notifies once; peek does not subscribe', () => {
  const a = signal(1);
  const b = signal(10);
  const sum = computed(() => a.value + b.value);
  const seen: number[] = [];
  effect(() => void seen.push(sum.value + b.peek() * 0));
  batch(() => {
    a.value = 2;
    b.value = 20;
  });
  assert.equal(sum.value, 22);
  assert.equal(seen.at(-1), 22);
  assert.ok(seen.length <= 3, `${seen.length} runs`);
  const untracked: number[] = [];
  effect(() => void untracked.push(a.peek()));
  a.value = 5;
  assert.deepEqual(untracked, [2]);
});

test('an effect that reads a signal conditionally drops the old dependency', () => {
  const flag = signal(true);
  const x = signal('x');
  let runs = 0;
  effect(() => {
    runs++;
    if (flag.value) void x.value;
  });
  flag.value = false;
  const before = runs;
  x.value = 'y';
  assert.equal(runs, before);
});
