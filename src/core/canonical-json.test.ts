import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { canonicalJson, CanonicalJsonError, compareCodePoints } from './canonical-json.ts';

interface CanonicalVectors {
  cases: { input: string; output: string }[];
}
const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/canonical-json.json', import.meta.url), 'utf8'),
) as CanonicalVectors;

const NUM_RUNS = 1000;

/** Sort by code point the slow, obviously-correct way: compare arrays of code points. */
function referenceCompare(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! - y[i]!;
  }
  return x.length - y.length;
}

// Characters picked so that UTF-16 order and code point order disagree (astral vs U+E000–U+FFFF).
const trickyChar = fc.constantFrom('a', 'Z', '~', '\u007f', '\u00e9', '日', '\ue000', '\uff5e', '\uffff', '\u{10000}', '\u{1f600}', '\u{10ffff}');
const trickyString = fc.string({ unit: fc.oneof(trickyChar, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 6 });

const jsonLike = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.constantFrom(0, -0, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER),
    trickyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(trickyString, tie('value'), { maxKeys: 5, noNullPrototype: true }),
  ),
})).value;

/** -0 legitimately becomes 0, so compare against a copy with -0 normalised. */
function normaliseNegativeZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(normaliseNegativeZero);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: normaliseNegativeZero(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

function collectKeyOrders(value: unknown, out: string[][]): void {
  if (Array.isArray(value)) {
    for (const item of value) collectKeyOrders(item, out);
  } else if (typeof value === 'object' && value !== null) {
    out.push(Object.keys(value));
    for (const item of Object.values(value)) collectKeyOrders(item, out);
  }
}

describe('canonicalJson: spec examples (appendices §Canonical JSON)', () => {
  for (const { input, output } of vectors.cases) {
    it(`${input} -> ${output}`, () => {
      assert.equal(canonicalJson(JSON.parse(input)), output);
    });
  }
});

describe('canonicalJson: details', () => {
  it('handles scalars and arrays at top level', () => {
    assert.equal(canonicalJson(null), 'null');
    assert.equal(canonicalJson(true), 'true');
    assert.equal(canonicalJson(false), 'false');
    assert.equal(canonicalJson(-0), '0');
    assert.equal(canonicalJson(Number.MAX_SAFE_INTEGER), '9007199254740991');
    assert.equal(canonicalJson(-Number.MAX_SAFE_INTEGER), '-9007199254740991');
    assert.equal(canonicalJson([1, 'a', [], {}]), '[1,"a",[],{}]');
    assert.equal(canonicalJson(''), '""');
  });

  it('escapes strings exactly as docs/matrix-api.md#canonical-json describes', () => {
    assert.equal(canonicalJson('\b\t\n\f\r"\\'), '"\\b\\t\\n\\f\\r\\"\\\\"');
    assert.equal(canonicalJson('\u0000\u0001\u000b\u001f'), '"\\u0000\\u0001\\u000b\\u001f"');
    // Raw: slash, DEL, line/paragraph separators, non-ASCII and astral characters.
    assert.equal(canonicalJson('/\u007f\u2028\u2029é日\u{1f600}'), '"/\u007f\u2028\u2029é日\u{1f600}"');
  });

  it('sorts keys by code point, not UTF-16 code unit', () => {
    // U+FF5E is a single unit 0xFF5E; U+1F600 is the pair D83D DE00. UTF-16 order puts the emoji
    // first, code point order puts it last.
    const value = { '\u{1f600}': 1, '\uff5e': 2, '\uffff': 3, '\ue000': 4, z: 5 };
    assert.equal(canonicalJson(value), '{"z":5,"\ue000":4,"\uff5e":2,"\uffff":3,"\u{1f600}":1}');
    assert.deepEqual(['\u{1f600}', '\uff5e'].sort(), ['\u{1f600}', '\uff5e'], 'sanity: default sort is UTF-16 order');
  });

  it('sorts keys that share a prefix by length', () => {
    assert.equal(canonicalJson({ ab: 1, a: 2, '': 3 }), '{"":3,"a":2,"ab":1}');
  });

  it('accepts null-prototype objects and own "__proto__" keys', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare['b'] = 1;
    bare['a'] = 2;
    assert.equal(canonicalJson(bare), '{"a":2,"b":1}');
    assert.equal(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":0}')), '{"__proto__":{"x":1},"a":0}');
  });

  it('ignores symbol keys and non-enumerable properties, like JSON.stringify', () => {
    const value: Record<string | symbol, unknown> = { a: 1, [Symbol('s')]: 2 };
    Object.defineProperty(value, 'hidden', { value: 3, enumerable: false });
    assert.equal(canonicalJson(value), '{"a":1}');
  });

  it('encodes the same shared object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    assert.equal(canonicalJson({ a: shared, b: [shared] }), '{"a":{"x":1},"b":[{"x":1}]}');
  });
});

describe('canonicalJson: rejects values without a canonical form', () => {
  const cycle: Record<string, unknown> = { a: 1 };
  cycle['self'] = cycle;
  const sparse: unknown[] = [1];
  sparse[2] = 3;
  let deep: unknown = 1;
  for (let i = 0; i < 1001; i++) deep = [deep];
  let deepOk: unknown = 1;
  for (let i = 0; i < 999; i++) deepOk = [deepOk];

  const cases: [string, unknown, string][] = [
    ['float', { a: 1.5 }, '$.a'],
    ['NaN', [NaN], '$[0]'],
    ['Infinity', { a: [{ b: Infinity }] }, '$.a[0].b'],
    ['-Infinity', -Infinity, '$'],
    ['too large', { n: 2 ** 53 }, '$.n'],
    ['too small', { n: -(2 ** 53) }, '$.n'],
    ['1e21', { n: 1e21 }, '$.n'],
    ['undefined at top level', undefined, '$'],
    ['undefined member', { a: { b: [1, 2, { c: undefined }] } }, '$.a.b[2].c'],
    ['sparse array hole', sparse, '$[1]'],
    ['function', { f: () => 1 }, '$.f'],
    ['symbol', { s: Symbol('x') }, '$.s'],
    ['bigint', { big: 1n }, '$.big'],
    ['Date', { d: new Date(0) }, '$.d'],
    ['Map', new Map(), '$'],
    ['Uint8Array', { bytes: new Uint8Array(2) }, '$.bytes'],
    ['boxed string', { s: new String('x') }, '$.s'],
    ['class instance', { c: new (class Foo {})() }, '$.c'],
    ['cycle', cycle, '$.self'],
    ['lone high surrogate in value', { a: 'x\ud800' }, '$.a'],
    ['lone low surrogate in key', { 'k\udc00': 1 }, '$["k\\udc00"]'],
    ['reversed surrogate pair', ['\udc00\ud800'], '$[0]'],
    ['non-identifier key path', { 'a b': [0.5] }, '$["a b"][0]'],
    ['too deep', deep, `$${'[0]'.repeat(1000)}`],
  ];
  for (const [name, value, path] of cases) {
    it(name, () => {
      assert.throws(
        () => canonicalJson(value),
        (error: unknown) => {
          assert.ok(error instanceof CanonicalJsonError);
          assert.equal(error.name, 'CanonicalJsonError');
          assert.equal(error.path, path);
          assert.ok(error.message.endsWith(` at ${path}`));
          return true;
        },
      );
    });
  }

  it('accepts nesting just under the limit', () => {
    assert.equal(canonicalJson(deepOk), `${'['.repeat(999)}1${']'.repeat(999)}`);
  });
});

describe('canonicalJson: properties', () => {
  it('compareCodePoints agrees with a reference code point comparison', () => {
    fc.assert(
      fc.property(trickyString, trickyString, (a, b) => {
        assert.equal(Math.sign(compareCodePoints(a, b)), Math.sign(referenceCompare(a, b)));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('is idempotent through JSON.parse', () => {
    fc.assert(
      fc.property(jsonLike, (value) => {
        const once = canonicalJson(value);
        assert.equal(canonicalJson(JSON.parse(once)), once);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('round-trips through JSON.parse to a deep-equal value', () => {
    fc.assert(
      fc.property(jsonLike, (value) => {
        assert.deepStrictEqual(JSON.parse(canonicalJson(value)), normaliseNegativeZero(value));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('emits every object with keys in code point order', () => {
    fc.assert(
      fc.property(jsonLike, (value) => {
        const orders: string[][] = [];
        collectKeyOrders(JSON.parse(canonicalJson(value)), orders);
        for (const keys of orders) {
          // Own property enumeration puts integer-like keys first regardless of insertion order,
          // so check only the non-index keys here; the code-point test above covers the rest.
          const plain = keys.filter((k) => !/^(0|[1-9]\d*)$/.test(k));
          assert.deepEqual(plain, [...plain].sort(referenceCompare));
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('matches a naive reference renderer', () => {
    // Independent oracle: a naive recursive renderer using a slow code point sort and
    // JSON.stringify for scalars. Any difference is a bug in our encoder.
    const render = (v: unknown): string => {
      if (Array.isArray(v)) return `[${v.map(render).join(',')}]`;
      if (typeof v === 'object' && v !== null) {
        const keys = Object.keys(v).sort(referenceCompare);
        return `{${keys.map((k) => `${JSON.stringify(k)}:${render((v as Record<string, unknown>)[k])}`).join(',')}}`;
      }
      return JSON.stringify(v);
    };
    fc.assert(
      fc.property(jsonLike, (value) => {
        assert.equal(canonicalJson(value), render(normaliseNegativeZero(value)));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
