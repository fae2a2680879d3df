// Property/fuzz tests (fast-check, fixed seed 0x5eed, reproducible): a hostile well-known answer
// and a hostile user ID never make discovery throw; every outcome is one of the spec's actions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { anything, SEED } from './synapse-shapes.fuzz.test.ts';
import { parseWellKnown, serverNameOf } from './discovery.ts';

const RUNS = 10_000;
/** JSON text of a value (BigInt and other unserialisable leaves become their string form). */
const encode = (v: unknown) => {
  let text: string | undefined;
  try {
    text = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));
  } catch {
    text = String(v);
  }
  return new TextEncoder().encode(text ?? '');
};

describe(`well-known discovery fuzz (seed 0x${SEED.toString(16)})`, () => {
  it(`parseWellKnown: ${RUNS} arbitrary bodies (bytes, JSON values, near-valid shapes) → found / fail-prompt / fail-error`, () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 256 }),
      anything.map(encode),
      fc.record({ 'm.homeserver': fc.oneof(anything, fc.record({ base_url: fc.oneof(fc.string(), fc.webUrl(), anything) })) }).map(encode),
    );
    fc.assert(fc.property(body, (bytes) => {
      const d = parseWellKnown(bytes);
      assert.ok(['found', 'fail-prompt', 'fail-error'].includes(d.kind));
      if (d.kind === 'found') assert.ok(/^https?:$/.test(new URL(d.baseUrl).protocol));
      else assert.equal(typeof d.reason, 'string');
    }), { numRuns: RUNS, seed: SEED });
  });

  it(`serverNameOf: ${RUNS} arbitrary strings → a Result; an accepted name is a plain host[:port]`, () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string().map((s) => `@a:${s}`), fc.string({ unit: 'binary' }).map((s) => `@${s}`)), (id) => {
      const r = serverNameOf(id);
      if (r.ok) {
        assert.ok(/^[a-z0-9.\-:[\]]+$/i.test(r.value.name), r.value.name);
        assert.equal(new URL(`https://${r.value.name}/`).host.length > 0, true);
      } else {
        assert.equal(typeof r.error, 'string');
      }
    }), { numRuns: RUNS, seed: SEED });
  });
});
