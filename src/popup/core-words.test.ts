// The popup's words for the core's sentences: in English they are exactly what the core says (so
// the CLI and the popup never drift apart), in German they are German.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installMessages } from './i18n-testing.ts';
import { CAUSE_OF_CODE, groupCauses } from '../core/inspect/causes.ts';
import type { ProblemCode } from '../core/inspect/problems.ts';
import { describeVerdict, type HomeserverVerdict } from '../core/matrix/discovery.ts';
import { usersProblems } from '../core/users/report.ts';
import type { VerdictProblem } from '../core/users/verdict.ts';
import { accountProblemText, causeHeadline, homeserverVerdictText, problemText } from './core-words.ts';
import fc from 'fast-check';
import { webCryptoEd25519 } from '../core/ed25519.ts';
import { backupShape, defaultKeyShape, keyDescriptionShape, keysQueryShape, mutate, mutation, secretContentShape, SEED, type Mutation } from '../core/matrix/synapse-shapes.fuzz.test.ts';
import { buildAccountState, DEFAULT_KEY_TYPE, KEY_DESCRIPTION_PREFIX, SECRET_NAMES, type RawReads, type ReadOutcome, type SecretName } from '../core/inspect/account-state.ts';
import { deviceKeys, healthyView, KEY_ID, KEYS_A, KEYS_B, seed, SSSS_KEY, stateOf, USER, type ServerView } from '../core/inspect/fixture.test.ts';
import { buildReport } from '../core/inspect/report.ts';

const CODES = Object.keys(CAUSE_OF_CODE) as ProblemCode[];

/** Every problem code, once with one subject and once with three, plus the users report's. */
function verdicts(): VerdictProblem[][] {
  const out: VerdictProblem[][] = [];
  for (const code of CODES) {
    for (const n of [1, 2, 3]) {
      out.push(Array.from({ length: n }, (_, i) => ({ code, message: `${code} ${i}`, subject: `S${i}` })));
    }
    out.push([{ code, message: code, repair: 'upload-keys' }]);
  }
  for (const [replaced, changed] of [[1, 0], [0, 1], [2, 3], [1, 1]] as const) {
    const counts = { verified: 0, 'verified-by-replaced-key': replaced, 'identity-changed': changed, 'not-verified': 0, 'no-identity': 0 };
    const stats = { roomsReturned: 0, encryptedRooms: 0, directPartners: 0, typed: 0, roomsFailed: 0, truncated: 0 };
    out.push(usersProblems(counts, stats as never).map((p) => ({ code: p.code, message: p.message, ...(p.count === undefined ? {} : { count: p.count }) })));
  }
  return out;
}

const HOMESERVER_VERDICTS: HomeserverVerdict[] = [
  { verdict: 'proven', serverNameHost: 'example.org', baseUrlHost: 'matrix.example.org', insecure: false },
  { verdict: 'proven', serverNameHost: 'example.org', baseUrlHost: 'matrix.example.org', insecure: true },
  { verdict: 'mismatch', serverNameHost: 'example.org', baseUrlHost: 'evil.test', discoveredHost: 'matrix.example.org', insecure: false },
  { verdict: 'mismatch', serverNameHost: 'example.org', baseUrlHost: 'evil.test', discoveredHost: 'matrix.example.org', insecure: true },
  { verdict: 'unverifiable', serverNameHost: 'example.org', baseUrlHost: 'matrix.example.org', reason: 'the well-known file could not be read', insecure: true },
];

test('in English, every cause headline, users problem and homeserver verdict is the core\'s own sentence', () => {
  installMessages('en');
  let causes = 0;
  for (const problems of verdicts()) {
    for (const c of groupCauses(problems)) {
      assert.equal(causeHeadline(c, problems), c.headline, `${c.id} × ${c.count}`);
      causes++;
    }
    for (const p of problems.filter((q) => q.code.startsWith('users-'))) assert.equal(problemText(p), p.message);
  }
  assert.ok(causes > CODES.length * 3);
  for (const v of HOMESERVER_VERDICTS) assert.equal(homeserverVerdictText(v), describeVerdict(v));
});

test('in German, none of them is English, and the data is kept', () => {
  installMessages('de');
  for (const problems of verdicts()) {
    for (const c of groupCauses(problems)) {
      const text = causeHeadline(c, problems);
      assert.notEqual(text, c.headline, `${c.id} × ${c.count}`);
      if (c.id === 'secrets-lost') assert.ok(text.includes(c.subjects.join(', ')));
    }
  }
  for (const v of HOMESERVER_VERDICTS) {
    const text = homeserverVerdictText(v);
    assert.notEqual(text, describeVerdict(v));
    assert.ok(text.includes(v.baseUrlHost) && text.includes(v.serverNameHost));
  }
  assert.match(problemText({ code: 'users-verified-by-replaced-key', message: 'x', count: 2 }), /^2 Personen/);
  installMessages('en');
});

// Account problems: the inspector on generated hostile server state (the fuzz tests' shapes, fewer
// runs), each problem the popup says itself compared with the core's sentence.
const RUNS = 1_500;
const outcome = (body: fc.Arbitrary<unknown>): fc.Arbitrary<ReadOutcome> => fc.oneof(
  { weight: 6, arbitrary: body.map((raw): ReadOutcome => ({ status: 'found', raw })) },
  { weight: 1, arbitrary: fc.constant<ReadOutcome>({ status: 'absent' }) },
  { weight: 1, arbitrary: fc.constant<ReadOutcome>({ status: 'failed', error: { name: 'HttpError', message: 'boom', status: 500 } }) },
);
const part = (base: () => unknown, shape: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof(
  { weight: 4, arbitrary: fc.array(mutation, { maxLength: 3 }).map((m: Mutation[]) => mutate(base(), m)) },
  { weight: 1, arbitrary: shape },
);

/** A device whose self-signing-key signature is another signature's bytes (so it does not verify). */
async function withBadCrossSignature(device: Record<string, unknown>): Promise<Record<string, unknown>> {
  const sigs = (device.signatures as Record<string, Record<string, string>>)[USER]!;
  const own = Object.keys(sigs).find((k) => k.endsWith(':BADSIG'))!;
  const cross = Object.keys(sigs).find((k) => k !== own)!;
  return { ...device, signatures: { [USER]: { ...sigs, [cross]: sigs[own]! } } };
}

test('in English, every account problem the popup says itself is the core\'s own sentence', async () => {
  installMessages('en');
  const view: ServerView = await healthyView();
  const reads: fc.Arbitrary<RawReads> = fc.record({
    keysQuery: part(() => view.keysQuery, keysQueryShape),
    defaultKey: outcome(part(() => view.accountData.get(DEFAULT_KEY_TYPE), defaultKeyShape)),
    secrets: fc.tuple(...SECRET_NAMES.map((name) => outcome(part(() => view.accountData.get(name) ?? {}, secretContentShape))))
      .map((rs) => Object.fromEntries(SECRET_NAMES.map((n, i) => [n, rs[i]!])) as Record<SecretName, ReadOutcome>),
    keyDescriptions: fc.array(fc.record({
      keyId: fc.constant(KEY_ID),
      read: outcome(part(() => view.accountData.get(`${KEY_DESCRIPTION_PREFIX}${KEY_ID}`), keyDescriptionShape)),
    }), { maxLength: 2 }),
    backup: outcome(part(() => view.backup, backupShape)),
  });
  const said = new Map<string, number>();
  await fc.assert(fc.asyncProperty(reads, fc.boolean(), async (r, withKey) => {
    const state = buildAccountState(USER, r);
    if (!state.ok) return;
    const report = await buildReport(state.value, { userId: USER, deviceId: 'DEVICEONE', ed: webCryptoEd25519(), ...(withKey ? { secretStorageKey: SSSS_KEY } : {}) });
    for (const p of report.problems) {
      const text = accountProblemText(p, report);
      if (text === undefined) continue;
      assert.equal(text, p.message, p.code);
      said.set(p.code, (said.get(p.code) ?? 0) + 1);
    }
  }), { numRuns: RUNS, seed: SEED });
  // Made on purpose: what random mutations of a healthy account seldom reach.
  const devices = view.keysQuery.device_keys![USER] as Record<string, unknown>;
  const masterId = Object.keys((view.keysQuery.master_keys![USER] as { keys: Record<string, string> }).keys)[0]!.slice('ed25519:'.length);
  const made: ServerView[] = [
    { ...view, keysQuery: { ...view.keysQuery, device_keys: { [USER]: { ...devices, UNSIGNED: await deviceKeys('UNSIGNED', seed(23)) } } } },
    { ...view, keysQuery: { ...view.keysQuery, device_keys: { [USER]: { ...devices, OLDSIGNED: await deviceKeys('OLDSIGNED', seed(24), KEYS_B.ssk) } } } },
    { ...view, keysQuery: { ...view.keysQuery, device_keys: { [USER]: { ...devices, [masterId]: await deviceKeys(masterId, seed(25), KEYS_A.ssk) } } } },
    { ...view, keysQuery: { ...view.keysQuery, device_keys: { [USER]: { ...devices, BADSIG: await withBadCrossSignature(await deviceKeys('BADSIG', seed(26), KEYS_A.ssk)) } } } },
    { ...view, accountData: new Map() },
    { keysQuery: { failures: {}, device_keys: { [USER]: devices } }, accountData: new Map(), backup: null },
  ];
  for (const v of made) {
    const report = await buildReport(stateOf(v), { userId: USER, deviceId: 'DEVICEONE', ed: webCryptoEd25519() });
    for (const p of report.problems) {
      const text = accountProblemText(p, report);
      if (text === undefined) continue;
      assert.equal(text, p.message, p.code);
      said.set(p.code, (said.get(p.code) ?? 0) + 1);
    }
  }
  // Every code the popup says itself was reached, and so compared.
  for (const code of ['no-cross-signing', 'device-not-cross-signed', 'device-cross-signature-invalid', 'device-signed-by-old-key', 'device-id-collides-with-key', 'device-self-signature-invalid',
    'no-secret-storage', 'backup-not-trusted', 'backup-not-signed-by-master', 'backup-key-missing', 'backup-key-mismatch', 'no-default-key', 'default-key-description-missing']) {
    assert.ok(said.has(code), `never reached: ${code} (reached: ${[...said.keys()].join(', ')})`);
  }
});
