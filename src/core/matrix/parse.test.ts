import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseKeysQueryResponse, parseSignaturesUploadResponse, parseUiaChallenge, parseVersions, parseWhoami,
} from './parse.ts';

const ALICE = '@alice:example.org';
const device = (id: string, extra: Record<string, unknown> = {}) => ({
  user_id: ALICE, device_id: id, algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
  keys: { [`curve25519:${id}`]: 'c', [`ed25519:${id}`]: 'e' },
  signatures: { [ALICE]: { [`ed25519:${id}`]: 'sig' } }, unsigned: { device_display_name: 'Phone' }, ...extra,
});
const master = { user_id: ALICE, usage: ['master'], keys: { 'ed25519:M': 'M' }, signatures: { [ALICE]: { 'ed25519:DEV1': 's' } } };
const get = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!r.ok) assert.fail(r.error);
  return r.value;
};

describe('parseWhoami', () => {
  it('accepts the spec shape and ignores unknown fields', () => {
    assert.deepEqual(get(parseWhoami({ user_id: ALICE, device_id: 'D', is_guest: false, extra: 1 })), { user_id: ALICE, device_id: 'D', is_guest: false });
  });
  it('rejects non-objects, a missing or non-user-id user_id, and a numeric device_id', () => {
    for (const bad of [null, [], 'x', {}, { user_id: 42 }, { user_id: 'alice' }, { user_id: ALICE, device_id: 7 }]) {
      assert.equal(parseWhoami(bad).ok, false, JSON.stringify(bad));
    }
  });
  it('ignores an inherited user_id', () => {
    assert.equal(parseWhoami(Object.create({ user_id: ALICE })).ok, false);
  });
});

describe('parseVersions', () => {
  it('keeps string versions and boolean flags only', () => {
    assert.deepEqual(get(parseVersions({ versions: ['v1.1', 2], unstable_features: { a: true, b: 1 } })), { versions: ['v1.1'], unstable_features: { a: true } });
    assert.equal(parseVersions({ versions: 'v1.1' }).ok, false);
  });
});

describe('parseKeysQueryResponse', () => {
  it('returns the very signed objects received, without copying or normalising', () => {
    const body = { device_keys: { [ALICE]: { DEV1: device('DEV1') } }, master_keys: { [ALICE]: master }, self_signing_keys: {}, failures: {} };
    const { response, skipped, warnings } = get(parseKeysQueryResponse(body));
    assert.equal(response.device_keys?.[ALICE]?.DEV1, body.device_keys[ALICE].DEV1);
    assert.equal(response.master_keys?.[ALICE], master);
    assert.deepEqual(response.self_signing_keys, {});
    assert.deepEqual([skipped, warnings], [[], []]);
  });

  it('skips a malformed device with a warning and keeps its siblings', () => {
    const body = { device_keys: { [ALICE]: {
      GOOD: device('GOOD'),
      NUM: device('NUM', { device_id: 12 }),
      SIG: device('SIG', { signatures: { [ALICE]: { 'ed25519:SIG': 5 } } }),
      KEYS: device('KEYS', { keys: { 'ed25519:KEYS': null } }),
      NAME: device('NAME', { unsigned: { device_display_name: { html: '<b>' } } }),
      NOSIG: device('NOSIG', { signatures: undefined }),
      STR: 'not a device',
    } } };
    const { response, skipped, warnings } = get(parseKeysQueryResponse(JSON.parse(JSON.stringify(body))));
    assert.deepEqual(Object.keys(response.device_keys?.[ALICE] ?? {}), ['GOOD']);
    assert.deepEqual(skipped.map((s) => s.deviceId), ['NUM', 'SIG', 'KEYS', 'NAME', 'NOSIG', 'STR']);
    assert.equal(warnings.length, 6);
    assert.equal(warnings[1], `keys/query device_keys: skipped "${ALICE}" device "SIG": signatures is not an object of objects of strings`);
    assert.equal(skipped[5]?.problem, 'is string, not an object');
  });

  it('keeps keys for other users and mismatched user_ids: flagging them is the caller\'s job', () => {
    const mallory = { ...master, user_id: '@mallory:evil.example' };
    const { response, skipped } = get(parseKeysQueryResponse({
      master_keys: { [ALICE]: mallory },
      device_keys: { '@bob:example.org': { DEV1: device('DEV1') } },
    }));
    assert.equal(response.master_keys?.[ALICE], mallory);
    assert.ok(response.device_keys?.['@bob:example.org']?.DEV1);
    assert.deepEqual(skipped, []);
  });

  it('survives __proto__ keys without touching any prototype', () => {
    const hostile = JSON.parse(`{
      "device_keys": {"__proto__": {"polluted": true}, "${ALICE}": {"__proto__": {"user_id": "x"}, "DEV1": ${JSON.stringify(device('DEV1'))}}},
      "master_keys": {"__proto__": ${JSON.stringify(master)}},
      "failures": {"__proto__": {"polluted": true}}
    }`);
    const { response, skipped } = get(parseKeysQueryResponse(hostile));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(response.device_keys), Object.prototype);
    assert.equal(Object.getPrototypeOf(response.master_keys), Object.prototype);
    assert.deepEqual(Object.keys(response.device_keys?.[ALICE] ?? {}), ['DEV1']);
    assert.deepEqual(Object.keys(response.master_keys ?? {}), []);
    assert.deepEqual(skipped.map((s) => `${s.section}:${s.userId}:${s.deviceId ?? ''}`), [
      'device_keys:__proto__:', `device_keys:${ALICE}:__proto__`, 'master_keys:__proto__:',
    ]);
  });

  it('keeps a __proto__ key inside a signed object byte-faithfully', () => {
    const m = JSON.parse(`{"user_id":"${ALICE}","usage":["master"],"keys":{"ed25519:M":"M"},"signatures":{"__proto__":{"ed25519:X":"s"}}}`);
    assert.equal(get(parseKeysQueryResponse({ master_keys: { [ALICE]: m } })).response.master_keys?.[ALICE], m);
  });

  it('rejects numbers where strings are expected in cross-signing keys', () => {
    const { skipped } = get(parseKeysQueryResponse({
      master_keys: { [ALICE]: { ...master, user_id: 1 } },
      self_signing_keys: { [ALICE]: { ...master, usage: 'self_signing' } },
      user_signing_keys: { [ALICE]: { ...master, signatures: { [ALICE]: { k: 1 } } } },
    }));
    assert.deepEqual(skipped.map((s) => s.problem), ['user_id is not a string', 'usage is not an array of strings', 'signatures is not an object of objects of strings']);
  });

  it('skips deeply nested signed objects and copes with huge arrays', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const huge = device('HUGE', { algorithms: Array.from({ length: 200_000 }, (_, i) => `alg${i}`) });
    const { response, skipped } = get(parseKeysQueryResponse({ device_keys: { [ALICE]: { DEEP: device('DEEP', { unsigned: { x: deep } }), HUGE: huge } } }));
    assert.deepEqual(skipped.map((s) => s.deviceId), ['DEEP']);
    assert.equal(response.device_keys?.[ALICE]?.HUGE, huge);
  });

  it('fails only when the response or a whole key section is unusable', () => {
    for (const bad of [null, [], 'x', { device_keys: [] }, { master_keys: 'x' }, { user_signing_keys: 3 }]) {
      assert.equal(parseKeysQueryResponse(bad).ok, false, JSON.stringify(bad));
    }
    assert.equal(get(parseKeysQueryResponse({ failures: 'x' })).warnings.length, 1);
  });
});

describe('parseSignaturesUploadResponse', () => {
  it('keeps Synapse failure objects (message) and spec ones (error)', () => {
    const body = { failures: { [ALICE]: {
      DEV1: { status: 400, errcode: 'M_INVALID_SIGNATURE', message: 'Invalid signature' },
      M: { errcode: 'M_NOT_FOUND', error: 'Unknown device' },
    } } };
    assert.deepEqual(get(parseSignaturesUploadResponse(body)), body);
  });
  it('turns malformed failure entries into M_UNKNOWN failures, never into success', () => {
    const { failures } = get(parseSignaturesUploadResponse({ failures: { [ALICE]: { A: 'boom', B: { errcode: 5, status: '400' } } } }));
    assert.equal(failures[ALICE]?.A?.errcode, 'M_UNKNOWN');
    assert.deepEqual(failures[ALICE]?.B, { errcode: 'M_UNKNOWN' });
  });
  it('treats {} as "no failures" and rejects a non-object failures map', () => {
    assert.deepEqual(get(parseSignaturesUploadResponse({})), { failures: {} });
    assert.equal(parseSignaturesUploadResponse({ failures: [] }).ok, false);
    assert.equal(parseSignaturesUploadResponse({ failures: { [ALICE]: 'x' } }).ok, false);
  });
});

describe('parseUiaChallenge', () => {
  it('parses the spec example (docs/matrix-api.md#uia-challenge)', () => {
    const body = {
      flows: [{ stages: ['m.login.password'] }, { stages: ['m.login.sso'] }],
      params: { 'm.login.terms': { policies: {} } }, session: 'xxxxxx', completed: ['example.type.foo'],
      errcode: 'M_FORBIDDEN', error: 'Invalid password',
    };
    assert.deepEqual(get(parseUiaChallenge(body)), { ...body, raw: body });
  });
  it('is not UIA without a flows array: M_UNKNOWN_TOKEN, soft_logout, flows as object', () => {
    for (const body of [
      { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.', soft_logout: true },
      { errcode: 'M_MISSING_TOKEN', error: 'Missing access token' },
      { flows: { stages: ['m.login.password'] } }, { flows: 'm.login.password' }, null, 'x',
    ]) assert.equal(parseUiaChallenge(body).ok, false, JSON.stringify(body));
  });
  it('drops malformed flows, fails when none is well-formed, allows an empty list', () => {
    const parsed = get(parseUiaChallenge({ flows: [{ stages: ['m.login.password'] }, { stages: [1] }, 'x', null, { stages: 'm.oauth' }] }));
    assert.deepEqual(parsed.flows, [{ stages: ['m.login.password'] }]);
    assert.equal(parseUiaChallenge({ flows: [{ stages: [1] }, []] }).ok, false);
    assert.deepEqual(get(parseUiaChallenge({ flows: [] })).flows, []);
  });
  it('filters non-string completed entries, ignores non-string session, drops __proto__ params', () => {
    const c = get(parseUiaChallenge(JSON.parse('{"flows":[],"completed":["a",1],"session":5,"params":{"__proto__":{"x":1},"m.oauth":{"url":"https://a"}}}')));
    assert.deepEqual(c.completed, ['a']);
    assert.equal(c.session, undefined);
    assert.deepEqual(Object.keys(c.params), ['m.oauth']);
    assert.equal(Object.getPrototypeOf(c.params), Object.prototype);
  });
});

// Found by the fuzz tests: arrays with an own "constructor" key made Array#filter throw.
it("arrays with an own constructor key are read, not trusted", async () => {
  const { parseUiaChallenge, parseVersions } = await import('./parse.ts');
  const hostile = ['v1.11', 7];
  Object.defineProperty(hostile, 'constructor', { value: '', enumerable: true });
  assert.deepEqual(parseVersions({ versions: hostile }), { ok: true, value: { versions: ['v1.11'] } });
  const r = parseUiaChallenge({ flows: [{ stages: ['m.login.password'] }], completed: hostile, session: 's' });
  assert.equal(r.ok, true);
  if (r.ok) assert.deepEqual(r.value.completed, ['v1.11']);
});
