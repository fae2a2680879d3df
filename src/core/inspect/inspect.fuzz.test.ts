// Property/fuzz tests (fast-check, fixed seed 0x5eed, reproducible): the whole inspector
// (buildAccountState + buildReport) on hostile server state never throws: a failure Result for an
// unusable keys/query body, otherwise a report. Every run verifies real ed25519 signatures (WebCrypto
// backend) and, half of the time, decrypts the secrets with the fixture's secret-storage key.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { webCryptoEd25519 } from '../ed25519.ts';
import {
  anything, backupShape, defaultKeyShape, FUZZ_USER, hostileKey, hostileLeaf, keyDescriptionShape,
  keysQueryShape, mutate, mutation, secretContentShape, SEED, type Mutation,
} from '../matrix/synapse-shapes.fuzz.test.ts';
import {
  buildAccountState, DEFAULT_KEY_TYPE, KEY_DESCRIPTION_PREFIX, SECRET_NAMES, type RawReads, type ReadOutcome, type SecretName,
} from './account-state.ts';
import { healthyView, KEY_ID, SSSS_KEY, USER, type ServerView } from './fixture.test.ts';
import { buildReport } from './report.ts';

const RUNS = 10_000;
const ed = webCryptoEd25519();
assert.equal(USER, FUZZ_USER);

let view: ServerView;
before(async () => {
  view = await healthyView();
});

/** found (with this body) / absent / failed, mostly found. */
const outcome = (body: fc.Arbitrary<unknown>): fc.Arbitrary<ReadOutcome> => fc.oneof(
  { weight: 6, arbitrary: body.map((raw): ReadOutcome => ({ status: 'found', raw })) },
  { weight: 1, arbitrary: fc.constant<ReadOutcome>({ status: 'absent' }) },
  { weight: 1, arbitrary: fc.constant<ReadOutcome>({ status: 'failed', error: { name: 'HttpError', message: 'boom', status: 500 } }) },
);

const ms = fc.array(mutation, { maxLength: 4 });

/** Per part: the healthy body with 0–4 mutations (`base` picks it at run time), or a generated one. */
const part = (base: () => unknown, shape: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof(
  { weight: 3, arbitrary: ms.map((m: Mutation[]) => mutate(base(), m)) },
  { weight: 2, arbitrary: shape },
  { weight: 1, arbitrary: anything },
);

const reads: fc.Arbitrary<RawReads> = fc.record({
  keysQuery: part(() => view.keysQuery, keysQueryShape),
  defaultKey: outcome(part(() => view.accountData.get(DEFAULT_KEY_TYPE), defaultKeyShape)),
  secrets: fc.tuple(...SECRET_NAMES.map((name) => outcome(part(() => view.accountData.get(name) ?? {}, secretContentShape))))
    .map((rs) => Object.fromEntries(SECRET_NAMES.map((n, i) => [n, rs[i]!])) as Record<SecretName, ReadOutcome>),
  keyDescriptions: fc.array(
    fc.record({
      keyId: fc.oneof(fc.constant(KEY_ID), hostileKey),
      read: outcome(part(() => view.accountData.get(`${KEY_DESCRIPTION_PREFIX}${KEY_ID}`), keyDescriptionShape)),
    }),
    { maxLength: 3 },
  ),
  keyIdsSkipped: fc.array(fc.record({ keyId: hostileKey, reason: fc.constantFrom('too-many', 'too-long', 'empty') as fc.Arbitrary<'too-many' | 'too-long' | 'empty'> }), { maxLength: 2 }),
  backup: outcome(part(() => view.backup, fc.oneof(backupShape, hostileLeaf))),
}, { requiredKeys: ['keysQuery', 'defaultKey', 'secrets', 'keyDescriptions', 'backup'] });

const seen = { failures: 0, reports: 0, problemCodes: new Set<string>() };

async function inspect(r: RawReads, withKey: boolean, deviceId: string | undefined): Promise<void> {
  const state = buildAccountState(USER, r);
  assert.equal(typeof state.ok, 'boolean');
  if (!state.ok) {
    seen.failures++;
    assert.equal(typeof state.error, 'string');
    return;
  }
  const report = await buildReport(state.value, { userId: USER, deviceId, ed, ...(withKey ? { secretStorageKey: SSSS_KEY } : {}) });
  assert.equal(typeof report.healthy, 'boolean');
  assert.ok(Array.isArray(report.problems));
  assert.equal(report.healthy, report.problems.length === 0);
  seen.reports++;
  for (const p of report.problems) {
    assert.equal(typeof p.code, 'string');
    seen.problemCodes.add(p.code);
  }
}

describe(`inspector fuzz (seed 0x${SEED.toString(16)})`, () => {
  it(`buildAccountState + buildReport: ${RUNS} hostile keys/query bodies and account data → Result / report, never a throw`, async () => {
    assert.equal((await buildReport(buildAccountStateOk(), { userId: USER, deviceId: 'DEVICEONE', ed })).healthy, true);
    await fc.assert(
      fc.asyncProperty(reads, fc.boolean(), fc.option(fc.constantFrom('DEVICEONE', 'DEVICETWO', '', '__proto__')), (r, withKey, deviceId) =>
        inspect(r, withKey, deviceId ?? undefined)),
      { numRuns: RUNS, seed: SEED },
    );
    // The generators reach deep into the inspector, not just the keys/query shape check.
    assert.ok(seen.reports > RUNS / 2, `only ${seen.reports} of ${RUNS} runs got as far as a report`);
    assert.ok(seen.problemCodes.size >= 10, `only problem codes ${[...seen.problemCodes].join(', ')}`);
  });
});

function buildAccountStateOk() {
  const found = (raw: unknown): ReadOutcome => (raw === undefined ? { status: 'absent' } : { status: 'found', raw: structuredClone(raw) });
  const state = buildAccountState(USER, {
    keysQuery: structuredClone(view.keysQuery),
    defaultKey: found(view.accountData.get(DEFAULT_KEY_TYPE)),
    secrets: Object.fromEntries(SECRET_NAMES.map((n) => [n, found(view.accountData.get(n))])) as Record<SecretName, ReadOutcome>,
    keyDescriptions: [{ keyId: KEY_ID, read: found(view.accountData.get(`${KEY_DESCRIPTION_PREFIX}${KEY_ID}`)) }],
    backup: found(view.backup),
  });
  assert.ok(state.ok);
  return state.value;
}
