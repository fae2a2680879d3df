// Property/fuzz tests (fast-check, fixed seed 0x5eed, reproducible): the extension message
// boundary. validateMessage and every request validator turn arbitrary values into
// {ok:false, error:string} (never a throw), unknown keys are always rejected, and the receiver
// refuses every sender that is not an extension page before looking at the message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { anything, hostileKey, hostileLeaf, SEED } from '../core/matrix/synapse-shapes.fuzz.test.ts';
import { REPAIR_KINDS, requestValidators, type MessageType } from './protocol.ts';

// receiver.ts imports webextension-polyfill, which refuses to load outside an extension: give it
// a minimal `browser` (the polyfill then re-exports it untouched) before importing. Node's URL gives
// chrome-extension:// URLs the opaque origin "null" (browsers do not), so the stub uses an https
// origin that no generated sender has.
const EXTENSION_ORIGIN = 'https://fuzz-extension.invalid';
const g = globalThis as Record<string, unknown>;
const runtime = { id: 'fuzz-extension-id', getURL: (p: string) => new URL(p, EXTENSION_ORIGIN).href };
g.chrome ??= { runtime };
g.browser ??= { runtime };
const { createReceiver, validateMessage } = await import('./receiver.ts');

const RUNS = 10_000;
const TYPES = Object.keys(requestValidators) as MessageType[];

/**
 * Every field name any request has (protocol.ts), with plausible values. Requests are built from
 * these without knowing which type takes which field, so the properties below do not go stale when
 * a message type is added: whatever is accepted must keep only these keys, and one extra key that is
 * none of them must always get the message rejected.
 */
const str = (...good: string[]) => fc.oneof(fc.constantFrom(...good), fc.constantFrom('', 'x'.repeat(5000)), hostileLeaf);
const FIELDS: Record<string, fc.Arbitrary<unknown>> = {
  homeserver: str('https://hs.example.org', 'http://localhost:8008', 'https://hs.example.org/base/', 'ftp://x', 'https://a b'),
  accessToken: str('syt_token'),
  tabId: fc.oneof(fc.nat(), fc.constantFrom<unknown>(-1, 1.5, '7', NaN), hostileLeaf),
  sessionId: str('session-1', 'a-b-c'),
  recoveryKey: str('EsTc abcd efgh'),
  passphrase: str('correct horse'),
  kind: fc.oneof(fc.constantFrom<unknown>(...REPAIR_KINDS, 'rm -rf', 'KIND'), hostileLeaf),
  deviceIds: fc.oneof(fc.array(fc.constantFrom('DEV1', 'DEV2', ''), { maxLength: 3 }), hostileLeaf),
  flowId: str('flow-1'),
  password: str('hunter2'),
  host: str('hs.example.org', 'localhost:8008'),
  userIds: fc.oneof(fc.array(fc.constantFrom('@bob:example.org', 'bob', ''), { maxLength: 3 }), hostileLeaf),
};
const FIELD_NAMES = Object.keys(FIELDS);
const GOOD: Record<string, unknown> = {
  homeserver: 'https://hs.example.org', accessToken: 'syt_token', tabId: 7, sessionId: 'session-1', recoveryKey: 'EsTc abcd',
  passphrase: 'correct horse', kind: REPAIR_KINDS[0], deviceIds: ['DEV1'], flowId: 'flow-1', password: 'hunter2',
  host: 'hs.example.org', userIds: ['@bob:example.org'],
};

/** Which key sets each type accepts, found by asking its validator (subsets of up to 5 fields). */
const KEY_SETS: Record<string, string[][]> = {};
{
  const subsets: string[][] = [[]];
  for (const name of FIELD_NAMES) for (const sub of [...subsets]) if (sub.length < 5) subsets.push([...sub, name]);
  for (const type of TYPES) {
    KEY_SETS[type] = subsets.filter((keys) => requestValidators[type](Object.fromEntries(keys.map((k) => [k, GOOD[k]])), '$').ok);
  }
}

/** A request for `type` (when known: one of its accepted key sets, else random fields), maybe with one extra key that is none of the fields. */
const requestFor = (type: string) => fc.tuple(
  (Object.hasOwn(KEY_SETS, type) && KEY_SETS[type]!.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...KEY_SETS[type]!) }, { weight: 1, arbitrary: fc.subarray(FIELD_NAMES, { maxLength: 5 }) }) : fc.subarray(FIELD_NAMES, { maxLength: 5 }))
    .chain((keys) => fc.tuple(...keys.map((k) => fc.oneof({ weight: 2, arbitrary: fc.constant(GOOD[k]) }, { weight: 1, arbitrary: FIELDS[k]! })))
      .map((vs) => Object.fromEntries(keys.map((k, i) => [k, vs[i]])))),
  fc.option(fc.tuple(hostileKey, fieldValue()), { nil: undefined, freq: 2 }),
).map(([req, extra]) => {
  let unknownKey = false;
  if (extra && !FIELD_NAMES.includes(extra[0])) {
    Object.defineProperty(req, extra[0], { value: extra[1], enumerable: true, writable: true, configurable: true });
    unknownKey = true;
  }
  return { req, unknownKey };
});
const request = fc.constantFrom(...TYPES).chain(requestFor);

function fieldValue(): fc.Arbitrary<unknown> {
  return fc.oneof(fc.constantFrom<unknown>('https://hs.example.org', 'syt_token', 'session-1', 0, 7), hostileLeaf);
}

/** A message: a known type (or not), a request (or anything), maybe an extra top-level key. */
const message = fc.tuple(
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...TYPES) as fc.Arbitrary<string> }, { weight: 1, arbitrary: fc.oneof(hostileKey, fc.constantFrom('__proto__', 'toString', 'hasOwnProperty', 'constructor')) }),
  fc.option(fc.tuple(hostileKey, fieldValue()), { nil: undefined, freq: 3 }),
).chain(([type, extra]) => fc.oneof({ weight: 6, arbitrary: requestFor(type) }, { weight: 1, arbitrary: anything.map((req) => ({ req, unknownKey: false })) })
  .map(({ req, unknownKey }) => {
    const msg: Record<string, unknown> = { type, req };
    let extraTop = false;
    if (extra && extra[0] !== 'type' && extra[0] !== 'req') {
      Object.defineProperty(msg, extra[0], { value: extra[1], enumerable: true, writable: true, configurable: true });
      extraTop = true;
    }
    return { msg, known: Object.hasOwn(requestValidators, type), unknownKey, extraTop };
  }));

function rejectedWithString(r: { ok: boolean; error?: unknown }): void {
  assert.equal(r.ok, false);
  assert.equal(typeof r.error, 'string');
  assert.ok((r.error as string).length > 0);
}

describe(`extension message validator fuzz (seed 0x${SEED.toString(16)})`, () => {
  it(`validateMessage: ${RUNS} arbitrary values → {ok:false, error:string}, never a throw`, () => {
    fc.assert(fc.property(anything, (v) => rejectedWithString(validateMessage(v))), { numRuns: RUNS, seed: SEED });
  });

  it(`validateMessage: ${RUNS} message-shaped values → unknown keys and unknown types always rejected`, () => {
    const accepted = new Set<string>();
    fc.assert(
      fc.property(message, ({ msg, known, unknownKey, extraTop }) => {
        const r = validateMessage(msg);
        if (!known || unknownKey || extraTop) rejectedWithString(r);
        if (r.ok) {
          accepted.add(r.type);
          assert.equal(r.type, msg.type);
          const sent = Object.keys(msg.req as object);
          assert.ok(Object.keys(r.req as object).every((k) => sent.includes(k) && FIELD_NAMES.includes(k)));
        } else {
          assert.equal(typeof r.error, 'string');
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // Every message type is accepted sometimes: the rejections are not just bad generation.
    for (const type of TYPES) assert.ok(KEY_SETS[type]!.length > 0, `no accepted request found for ${type}`);
    assert.deepEqual([...accepted].sort(), [...TYPES].sort());
  });

  it(`requestValidators: ${RUNS} arbitrary values per message type (all types) → a Result, never a throw`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), fc.oneof(anything, request.map((x) => x.req)), (type, v) => {
        const r = requestValidators[type](v, `${type}.req`);
        assert.equal(typeof r.ok, 'boolean');
        if (!r.ok) assert.equal(typeof r.error, 'string');
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`createReceiver: ${RUNS} messages from senders that are not extension pages → ForbiddenSenderError, no handler runs`, async () => {
    let called = 0;
    const handler = async () => { called++; return { accessToken: 'syt_secret' }; };
    const receive = createReceiver(Object.fromEntries(TYPES.map((t) => [t, handler])) as never);
    const sender = fc.record({
      id: fc.oneof(fc.constant(runtime.id), fc.string({ maxLength: 12 })),
      url: fc.oneof(fc.webUrl(), fc.constantFrom('https://evil.example/', 'http://localhost:1234/page.html', 'moz-extension://other/x.html', 'chrome-extension://otherextensionid/popup.html')),
      origin: fc.option(fc.oneof(fc.webUrl().map((u) => new URL(u).origin), fc.constant('null')), { nil: undefined }),
      tab: fc.option(fc.record({ id: fc.nat() }), { nil: undefined }),
    }, { requiredKeys: ['url'] });
    await fc.assert(
      fc.asyncProperty(fc.oneof(message.map((m) => m.msg as unknown), anything), sender, async (msg, s) => {
        const reply = await receive(msg, s as never);
        assert.deepEqual(reply && { ok: reply.ok, name: reply.ok ? undefined : reply.error.name }, { ok: false, name: 'ForbiddenSenderError' });
        assert.ok(!JSON.stringify(reply).includes('syt_secret'));
      }),
      { numRuns: RUNS, seed: SEED },
    );
    assert.equal(called, 0);
  });
});
