// Property/fuzz tests (fast-check, fixed seed 0x5eed, reproducible): the session readers over
// random web-app storage never throw. A page dump comes out of a web page, so validateDump must
// refuse anything malformed without throwing, and every parser (Element, Cinny, Sable, Hydrogen,
// FluffyChat/Commet) must turn any storage content into typed candidates and problems.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { anything, mutate, mutation, SEED } from '../../core/matrix/synapse-shapes.fuzz.test.ts';
import type { Parsed } from './candidate.ts';
import { parseClientList } from '../page/flutter-clients.ts';
import { parseCinny, parseSable } from './parse-cinny.ts';
import { parseDump, validateDump, validateLiveClient, wantsLiveClient } from './parse-dump.ts';
import { hasElementMarker, isRotatingElementSession, parseElement } from './parse-element.ts';
import { parseFlutter } from './parse-flutter.ts';
import { hydrogenSessionIdFromUrl, parseHydrogen } from './parse-hydrogen.ts';
import { UNPARSABLE, withoutRefreshTokens } from './sanitize.ts';
import { FLUTTER_KEYS, READ_KEYS, type PageDump } from './types.ts';

const RUNS = 10_000;
const APPS = new Set(['Element', 'Cinny', 'Sable', 'Hydrogen', 'FluffyChat', 'Commet']);

const homeserver = fc.oneof(
  fc.constantFrom('https://hs.example.org', 'http://localhost:8008/', 'https://hs.example.org/path/', 'ftp://x', 'javascript:alert(1)', 'hs.example.org', '', 'https://', 'https://a b'),
  fc.webUrl(), fc.string({ unit: 'binary', maxLength: 20 }),
);
const userId = fc.oneof(fc.constantFrom('@alice:example.org', '@bob:hs.example.org:8448', '@', 'alice', '@:x', '@a:b\n'), fc.string({ unit: 'binary', maxLength: 20 }));
const token = fc.oneof(fc.constantFrom('syt_YWxpY2U_abcdef_123', 'tok with space', '', 'tok\n', 'é'), fc.string({ unit: 'binary', maxLength: 30 }));
const odd = fc.oneof({ weight: 4, arbitrary: fc.jsonValue({ maxDepth: 2 }) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 0, [], {}, true) });
const field = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: arb as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: odd });

/** A Sable/Hydrogen-style session entry with hostile fields. */
const sessionEntry = fc.record({
  baseUrl: field(homeserver), homeserver: field(homeserver), homeServer: field(homeserver),
  userId: field(userId), deviceId: field(fc.oneof(fc.constantFrom('DEVICE', ''), fc.string({ unit: 'binary', maxLength: 10 }))),
  accessToken: field(token), refreshToken: field(token), id: field(fc.oneof(fc.constantFrom('1', '2'), fc.string({ maxLength: 4 }))),
  lastUsed: field(fc.oneof(fc.integer(), fc.double())), expiresInMs: field(fc.integer()),
}, { requiredKeys: [] });

const asJson = (v: unknown): string => JSON.stringify(v) ?? 'null';

/** What a localStorage value may hold: JSON lists of sessions, JSON of anything, plain text. */
const storageValue = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.oneof({ weight: 5, arbitrary: sessionEntry as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: odd }), { maxLength: 4 }).map(asJson) },
  { weight: 2, arbitrary: fc.oneof(homeserver, userId, token, fc.constantFrom('true', 'false', '"@alice:example.org"', '["c1","c2"]', '[]', '[1]', UNPARSABLE)) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
);

const storage: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...READ_KEYS) }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'other') }),
  storageValue, { maxKeys: READ_KEYS.length },
);

const href = fc.oneof(
  fc.constantFrom('https://app.example/', 'https://app.example/#/session/1/rooms', 'https://app.example/#/session/%E0%A4%A/x', 'https://app.example/#/session/', 'about:blank', ''),
  fc.tuple(fc.webUrl(), fc.string({ maxLength: 8 })).map(([u, id]) => `${u}#/session/${id}`),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

const tokenDump = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constantFrom('plain' as const, 'decrypted' as const), token }),
  fc.record({ kind: fc.constant('error' as const), code: fc.constantFrom('no-webcrypto' as const, 'no-pickle-key' as const, 'bad-pickle-key' as const, 'bad-mac' as const, 'malformed' as const, 'idb-error' as const), message: fc.string() }),
);

const flutterDb = fc.record({
  app: fc.constantFrom('FluffyChat' as const, 'Commet' as const),
  db: fc.string({ maxLength: 12 }),
  exists: fc.boolean(),
  values: fc.dictionary(
    fc.oneof(fc.constantFrom(...FLUTTER_KEYS), fc.constantFrom('refresh_token', '__proto__')),
    fc.oneof(homeserver, userId, token, fc.constant(null), fc.integer(), fc.boolean()) as fc.Arbitrary<string | number | boolean | null>,
    { maxKeys: 5 },
  ),
  error: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
}, { requiredKeys: ['app', 'db', 'exists', 'values'] });

/** A well-formed page dump with random storage contents. */
const dump: fc.Arbitrary<PageDump> = fc.record({
  v: fc.constant(1 as const),
  href,
  secureContext: fc.boolean(),
  webCrypto: fc.boolean(),
  storage,
  element: fc.option(fc.record({ idb: fc.boolean(), from: fc.constantFrom('idb' as const, 'localStorage' as const, null), token: tokenDump }), { nil: null }),
  flutter: fc.array(flutterDb, { maxLength: 3 }),
  notes: fc.array(fc.string({ maxLength: 20 }), { maxLength: 2 }),
});

const live = fc.oneof(
  fc.record({ userId: field(userId), deviceId: field(fc.string({ maxLength: 10 })), homeserver: field(homeserver), accessToken: field(token), refreshToken: token }, { requiredKeys: [] }),
  anything,
);

/** Mutations of well-formed dumps, sparse arrays included (Firefox's structured clone keeps holes). */
const dumpMutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

function typedParsed(p: Parsed): void {
  assert.ok(Array.isArray(p.candidates) && Array.isArray(p.problems));
  for (const c of p.candidates) {
    assert.ok(APPS.has(c.app), c.app);
    for (const k of ['homeserver', 'userId', 'deviceId', 'accessToken', 'source'] as const) assert.equal(typeof c[k], 'string', k);
    for (const k of ['active', 'rotates', 'softLogout'] as const) assert.equal(typeof c[k], 'boolean', k);
    assert.match(c.homeserver, /^https?:\/\//);
    assert.ok(c.accessToken.length > 0);
  }
  for (const problem of p.problems) {
    assert.ok(APPS.has(problem.app));
    assert.equal(typeof problem.code, 'string');
    assert.equal(typeof problem.message, 'string');
  }
}

describe(`session readers fuzz (seed 0x${SEED.toString(16)})`, () => {
  it(`validateDump / validateLiveClient: ${RUNS} arbitrary values → a verdict, never a throw`, () => {
    fc.assert(
      fc.property(anything, (v) => {
        const r = validateDump(v);
        if (!r.ok) assert.equal(typeof r.error, 'string');
        else typedParsed(parseDump(r.dump));
        const l = validateLiveClient(v);
        assert.ok(l === null || typeof l === 'object');
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`parseDump: ${RUNS} well-formed dumps with random storage, IndexedDB and live-client contents → typed candidates and problems`, () => {
    fc.assert(
      fc.property(dump, live, (d, l) => {
        const checked = validateDump(d);
        assert.ok(checked.ok, checked.ok ? '' : checked.error);
        assert.equal(typeof wantsLiveClient(d), 'boolean');
        typedParsed(parseDump(d, validateLiveClient(l)));
        typedParsed(parseDump(d));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`validateDump + parseDump: ${RUNS} mutated dumps (wrong types, '__proto__', cycles) → refused or parsed, never a throw`, () => {
    fc.assert(
      fc.property(dump, dumpMutations, (d, ms) => {
        const r = validateDump(mutate(d, ms));
        if (r.ok) typedParsed(parseDump(r.dump));
        else assert.equal(typeof r.error, 'string');
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`per-app parsers and helpers: ${RUNS} random storages → typed results, never a throw`, () => {
    fc.assert(
      fc.property(storage, href, dump, fc.array(flutterDb, { maxLength: 3 }), fc.option(storageValue, { nil: undefined }), (s, h, d, f, raw) => {
        typedParsed(parseCinny(s));
        typedParsed(parseSable(s));
        typedParsed(parseHydrogen(s, h));
        typedParsed(parseElement({ ...d, storage: s }));
        typedParsed(parseFlutter(f));
        assert.equal(typeof hasElementMarker(s), 'boolean');
        assert.equal(typeof isRotatingElementSession(s), 'boolean');
        const id = hydrogenSessionIdFromUrl(h);
        assert.ok(id === undefined || typeof id === 'string');
        const list = parseClientList(raw);
        if (list.ok) assert.ok(list.names.every((n) => typeof n === 'string'));
        else assert.equal(typeof list.error, 'string');
        if (raw !== undefined) {
          const clean = withoutRefreshTokens(raw);
          assert.equal(typeof clean, 'string');
          assert.ok(!/"refresh_?[Tt]oken"\s*:/.test(clean) || clean === UNPARSABLE);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
