import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { threadPoolSize } from './thread-pool.ts';

describe('threadPoolSize', () => {
  it('one thread per core, at least 2 and at most 16', () => {
    assert.equal(threadPoolSize({}, 1), '2');
    assert.equal(threadPoolSize({}, 2), '2');
    assert.equal(threadPoolSize({}, 8), '8');
    assert.equal(threadPoolSize({}, 64), '16');
    assert.equal(threadPoolSize({}, Number.NaN), '2');
  });

  it('keeps a size the environment chose', () => {
    assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: '4' }, 2), undefined);
    assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: '' }, 2), undefined);
  });

});
