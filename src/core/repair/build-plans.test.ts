import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nobleEd25519 } from '../ed25519.ts';
import { BROKEN, quoted } from '../broken-json.test.ts';
import { buildManualUpload, PlanRefusedError, type PlanContext } from './build-plans.ts';

describe('buildManualUpload: a pasted key that is not JSON', () => {
  it('names the key and the position, never quoting the text (which may hold a seed)', async () => {
    const ctx = { userId: '@alice:hs', ed: nobleEd25519 } as unknown as PlanContext;
    for (const text of BROKEN) {
      await assert.rejects(buildManualUpload(ctx, { master: text }), (error: Error) => {
        assert.ok(error instanceof PlanRefusedError);
        assert.match(error.message, /^the master key is not valid JSON \(at line \d+, column \d+\)$/);
        assert.equal(quoted(error.message.replace(/^the master key is /, ''), text), undefined, error.message);
        return true;
      });
    }
  });
});
