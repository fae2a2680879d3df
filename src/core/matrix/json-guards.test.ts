import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withinDepth } from './json-guards.ts';

/** The definition, recursively: a scalar has depth 0, a container one more than its deepest child. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child));
  return deepest + 1;
}

/** A random JSON value of bounded depth, from a seeded generator (reproducible failures). */
function randomJson(next: () => number, depth: number): unknown {
  const pick = next();
  if (depth === 0 || pick < 0.3) return [0, 'text', true, null, -1][Math.floor(next() * 5)];
  const size = Math.floor(next() * 4);
  if (pick < 0.65) return Array.from({ length: size }, () => randomJson(next, depth - 1));
  return Object.fromEntries(Array.from({ length: size }, (_, i) => [`k${i}`, randomJson(next, depth - 1)]));
}

describe('withinDepth', () => {
  it('agrees with the recursive definition on random JSON, at and around each value\'s depth', () => {
    let seed = 42;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const value = randomJson(next, 7);
      const depth = depthOf(value);
      assert.equal(withinDepth(value, depth), true, JSON.stringify(value));
      if (depth > 0) assert.equal(withinDepth(value, depth - 1), false, JSON.stringify(value));
      assert.equal(withinDepth(value, depth + 1), true);
    }
  });

  it('counts scalars as depth 0 and each container as one level', () => {
    assert.equal(withinDepth('x', 0), true);
    assert.equal(withinDepth(null, 0), true);
    assert.equal(withinDepth({}, 0), false);
    assert.equal(withinDepth({}, 1), true);
    assert.equal(withinDepth({ a: [{ b: 1 }] }, 2), false);
    assert.equal(withinDepth({ a: [{ b: 1 }] }, 3), true);
    // eslint-disable-next-line no-sparse-arrays
    assert.equal(withinDepth([, , [[]]], 3), true);
  });

  it('answers false for hostile nesting (100 000 levels) without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    assert.equal(withinDepth(deep, 256), false);
    assert.equal(withinDepth(deep, 100_000), true);
  });
});
