// Fault injection: every write step of every repair the extension offers × every fault of the
// fault proxy (e2e/harness/fault-proxy.ts), run by the background's flow manager against Synapse.
// For each case: the flow fails naming the step with a specific message (a short 429 is waited
// out instead); Synapse holds exactly the steps before the faulted one, plus the faulted one when
// the fault lost Synapse's answer; running the repair again completes; the status is healthy;
// and no master key that was published is lost from secret storage.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { detectEd25519, inspectAccount, inspectUsers, createMatrixClient } from '../src/core/index.ts';
import { RepairFlowError } from '../src/background/repair-flow.ts';
import type { RepairKind, RepairFlowView, RepairStepView } from '../src/ext/protocol.ts';
import { FAULT_KINDS, reachesServer, startFaultProxy, type FaultKind } from './harness/fault-proxy.ts';
import { nodeFlowManager, runToEnd, SESSION } from './harness/node-flows.ts';
import { buildAccount, type FixtureAccount, type FixtureState } from './harness/identity.ts';
import { publishedMaster, recoverableMasters, stepApplied } from './harness/server-keys.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { peopleInRoomWith, replaceUserSigningKey, verifyPerson, type Person } from './harness/users-fixture.ts';

/** What a users repair previews with, and, after a failure, the repair that resumes it. */
interface PeopleSetup {
  /** Extra fields of the preview request (the people, a master key, keep-verified). */
  request: Record<string, unknown>;
  /** The repair that finishes the job after a failure (default: the same one again). */
  resume?: { kind: RepairKind; request: Record<string, unknown> };
  /** Everyone who must read `verified` once the repair (or its resume) is done. */
  people: string[];
}

interface Target {
  repair: RepairKind;
  fixture: FixtureState;
  devices: number;
  /** The faulted step's ID. */
  step: string;
  /** For the repairs that sign other people's master keys: the people around the account. */
  people?: (hs: SynapseInfo, account: FixtureAccount) => Promise<PeopleSetup>;
}

/** Two people with identities in an encrypted room with me. */
const twoPeople = (hs: SynapseInfo, account: FixtureAccount): Promise<Person[]> => peopleInRoomWith(hs, account.user, 2);

// The steps that sign other people's master keys (docs/matrix-api.md#signing-other-users): a
// failure leaves them unsigned (or signed, when only the answer was lost), which the users report
// describes; the resume is the same repair, or reverify-users after a reset whose keys got out.
const USERS_TARGETS: Target[] = [
  {
    repair: 'verify-user', fixture: 'healthy', devices: 1, step: 'sign-users',
    people: async (hs, account) => {
      const [bob] = await twoPeople(hs, account);
      return { request: { userId: bob!.user.userId, masterKey: bob!.keys!.master.publicKey }, people: [bob!.user.userId] };
    },
  },
  {
    repair: 'reverify-users', fixture: 'healthy', devices: 1, step: 'sign-users',
    people: async (hs, account) => {
      const people = await twoPeople(hs, account);
      for (const p of people) await verifyPerson(account.user, account.crossSigning!.userSigning, p);
      await replaceUserSigningKey(account);
      return { request: {}, people: people.map((p) => p.user.userId) };
    },
  },
  {
    repair: 'reset-cross-signing', fixture: 'healthy', devices: 1, step: 'keep-verified',
    people: async (hs, account) => {
      const people = await twoPeople(hs, account);
      for (const p of people) await verifyPerson(account.user, account.crossSigning!.userSigning, p);
      return { request: { keepAllVerified: true }, resume: { kind: 'reverify-users', request: {} }, people: people.map((p) => p.user.userId) };
    },
  },
];

const RESET_STEPS = [
  'keep-previous-store-master', 'store-master', 'keep-previous-store-self-signing', 'store-self-signing',
  'keep-previous-store-user-signing', 'store-user-signing', 'upload-keys', 'sign-devices', 'resign-backup',
];
const REENCRYPT_STEPS = ['m.cross_signing.master', 'm.cross_signing.self_signing', 'm.cross_signing.user_signing'].map((n) => `reencrypt-${n}`);
const TARGETS: Target[] = [
  ...RESET_STEPS.map((step) => ({ repair: 'reset-cross-signing' as const, fixture: 'healthy' as const, devices: 1, step })),
  { repair: 'sign-devices', fixture: 'devices-not-cross-signed', devices: 2, step: 'sign-devices' },
  { repair: 'resign-backup', fixture: 'backup-not-signed-by-master', devices: 1, step: 'resign-backup' },
  ...REENCRYPT_STEPS.map((step) => ({ repair: 'store-secrets' as const, fixture: 'secrets-non-default-key' as const, devices: 1, step })),
  { repair: 'upload-keys', fixture: 'secrets-mismatch', devices: 1, step: 'upload-keys' },
  ...USERS_TARGETS,
];

/** Short enough to keep the matrix fast, long enough for Synapse on a loaded 2-core machine. */
const HANG_TIMEOUT_MS = 4_000;
const RETRY_AFTER_MS = 300;

/** What the message must say for each fault: specific, not a generic failure. */
const SPECIFIC: Record<FaultKind, RegExp> = {
  'http-500': /500 Internal Server Error.*M_UNKNOWN/,
  'http-502-html': /502 Bad Gateway/,
  truncated: /cut off|not valid JSON/,
  'not-json-200': /not valid JSON/,
  'rate-limited-429': /./,
  'reset-before': /Could not reach the homeserver/,
  'reset-after': /Could not reach the homeserver/,
  hang: new RegExp(`No complete answer from the homeserver within ${HANG_TIMEOUT_MS} ms`),
  'hang-after': new RegExp(`No complete answer from the homeserver within ${HANG_TIMEOUT_MS} ms`),
};

const keyInput = (t: Target, a: FixtureAccount) => ({
  recoveryKey: a.secretStorage!.recoveryKey,
  ...(t.repair === 'store-secrets' ? { sourceRecoveryKey: a.otherSecretStorage!.recoveryKey } : {}),
});

function stepIndex(steps: RepairStepView[], spec: string): number {
  const index = steps.findIndex((s) => s.id === spec);
  assert.ok(index >= 0, `no step ${spec} in ${steps.map((s) => s.id).join(', ')}`);
  return index;
}

/** The master a plan publishes (its device_signing/upload body), if any. */
const plannedMaster = (steps: RepairStepView[]): string | undefined => {
  const body = steps.find((s) => s.uia)?.body as { master_key?: { keys: Record<string, string> } } | undefined;
  return body?.master_key === undefined ? undefined : Object.values(body.master_key.keys)[0];
};

async function assertRecoverable(a: FixtureAccount, masters: Iterable<string | undefined>, when: string): Promise<void> {
  const have = await recoverableMasters(a.user, a.secretStorage, a.otherSecretStorage);
  for (const m of masters) {
    if (m !== undefined) assert.ok(have.has(m), `${when}: the published master ${m} has no recoverable seed in secret storage (have ${[...have].join(', ') || 'none'})`);
  }
}

/** One failure message per fault, printed at the end for review. */
const sampleMessages = new Map<FaultKind, string>();

async function runCase(hs: SynapseInfo, t: Target, fault: FaultKind): Promise<void> {
  const account = await buildAccount(hs, t.fixture, { devices: t.devices });
  const people = await t.people?.(hs, account);
  const proxy = await startFaultProxy(hs.baseUrl);
  let timeoutMs = 30_000;
  const { flows, views, remembered } = nodeFlowManager(account.user, { baseUrl: () => proxy.url, timeoutMs: () => timeoutMs });
  try {
    const original = await publishedMaster(account.user);
    const preview = await flows.preview({ sessionId: SESSION, kind: t.repair, ...keyInput(t, account), ...people?.request });
    const index = stepIndex(preview.steps, t.step);
    const step = preview.steps[index]!;
    // device_signing/upload: the 1st request is UIA's preflight (401), the 2nd carries the password.
    // Other steps: the nth request to that endpoint (a reset signs my devices, then keeps people verified).
    const nth = step.uia ? 2 : preview.steps.slice(0, index + 1).filter((s) => s.method === step.method && s.path === step.path).length;
    proxy.add({ method: step.method, path: step.path, nth, fault, retryAfterMs: RETRY_AFTER_MS });
    if (fault === 'hang' || fault === 'hang-after') timeoutMs = HANG_TIMEOUT_MS;
    const end = await runToEnd(flows, preview.flowId, account.user.password);
    timeoutMs = 30_000;
    assert.equal(proxy.log.filter((e) => e.fault === fault).length, 1, 'the fault was injected once');

    if (fault === 'rate-limited-429') {
      assert.equal(end.phase, 'done', `a short 429 is waited out: ${end.result?.message}`);
      if (people !== undefined) assert.deepEqual(remembered.map((r) => r.userId).sort(), [...people.people].sort(), 'the run remembers whom it verified');
      assert.ok(views.some((v) => v.waitingMs === RETRY_AFTER_MS), 'the wait is visible in the view (waitingMs)');
      for (const s of preview.steps) assert.ok(await stepApplied(account.user, s), `${s.id} is on the server`);
    } else {
      // Fails, naming the step, with a specific message.
      assert.equal(end.phase, 'failed', `phase ${end.phase}: ${end.result?.message}`);
      assert.equal(end.error?.step, step.title);
      const message = end.error?.message ?? '';
      assert.doesNotMatch(message, /undefined|\[object Object\]/);
      assert.match(message, SPECIFIC[fault]);
      assert.ok(end.result?.message.startsWith(`${step.title}: `), end.result?.message);
      if (!sampleMessages.has(fault)) sampleMessages.set(fault, end.result!.message);

      // Exactly the documented intermediate state.
      const applied = await Promise.all(preview.steps.map((s) => stepApplied(account.user, s)));
      const expected = preview.steps.map((_, i) => i < index || (i === index && reachesServer(fault)));
      assert.deepEqual(
        Object.fromEntries(preview.steps.map((s, i) => [s.id, applied[i]])),
        Object.fromEntries(preview.steps.map((s, i) => [s.id, expected[i]])), 'steps on the server after the failure');

      // Nothing published is lost: the master published now, and the new one if it got out.
      const now = await publishedMaster(account.user);
      const generated = plannedMaster(preview.steps);
      const mustKeep = t.fixture === 'secrets-mismatch' && now === original ? [] : [now]; // that fixture never stored its master
      if (t.repair === 'reset-cross-signing' && now === generated) mustKeep.push(generated);
      await assertRecoverable(account, mustKeep, 'after the failure');

      // Only signatures known to be on the server are remembered (a lost answer is not known).
      if (people !== undefined) assert.deepEqual(remembered, [], 'a failed user step remembers nobody');

      // A stop after the key upload and before the carry-over names the repair that resumes it.
      if (people?.resume !== undefined && index > stepIndex(preview.steps, 'upload-keys')) assert.match(message, /Verify again after a reset/);

      // Run the repair again without faults (or its resume): it completes (or there is nothing left to do).
      proxy.clear();
      let again: RepairFlowView | undefined;
      const retry = people?.resume ?? { kind: t.repair, request: people?.request ?? {} };
      try {
        again = await flows.preview({ sessionId: SESSION, kind: retry.kind, ...keyInput(t, account), ...retry.request });
      } catch (error) {
        // The lost answer's write was the last one: the repair is already complete.
        if (!(error instanceof RepairFlowError && error.code === 'nothing-to-do' && reachesServer(fault))) throw error;
      }
      if (again !== undefined) {
        const retried = await runToEnd(flows, again.flowId, account.user.password);
        assert.equal(retried.phase, 'done', `the retry: ${retried.result?.message}`);
        if (people !== undefined) assert.deepEqual(remembered.map((r) => r.userId).sort(), [...people.people].sort(), 'the retry remembers whom it verified');
        const published = await publishedMaster(account.user);
        const keep = [published];
        if (generated !== undefined && generated === now) keep.push(generated); // published by the failed run
        if (t.fixture === 'secrets-mismatch' && published === original) keep.length = 0;
        await assertRecoverable(account, keep, 'after the retry');
      }
    }

    // The status read straight from Synapse.
    const ed = await detectEd25519();
    const client = createMatrixClient({ baseUrl: hs.baseUrl, accessToken: account.user.accessToken, fetch: (i, init) => fetch(i, init) });
    const inspected = await inspectAccount(client, { userId: account.user.userId, deviceId: account.user.deviceId, secret: { recoveryKey: account.secretStorage!.recoveryKey }, ed });
    assert.ok(inspected.ok, 'inspect');
    const codes = inspected.value.report.problems.map((p) => p.code);
    if (t.repair === 'upload-keys') {
      // The stored keys are published; only the session's signature by the new SSK is missing.
      assert.ok(codes.every((c) => c.startsWith('device-') || c.startsWith('backup-')), codes.join(', '));
    } else {
      assert.deepEqual(codes, [], 'healthy after the repair');
    }
    if (people !== undefined) {
      // Everyone the repair was to verify is verified by my current user-signing key.
      const users = await inspectUsers(client, { userId: account.user.userId }, { extraUserIds: people.people, skipDiscovery: true, ed });
      assert.deepEqual(Object.fromEntries(users.users.map((u) => [u.userId, u.state])), Object.fromEntries(people.people.map((u) => [u, 'verified'])));
    }
  } finally {
    await proxy.close();
  }
}

const CONCURRENCY = Number(process.env['XSIGN_FAULT_CONCURRENCY'] ?? 8);
const label = (t: Target) => `${t.repair === 'reset-cross-signing' ? 'reset' : t.repair}/${t.step}`;
/** XSIGN_FAULT_ONLY=verify-user,keep-verified runs only the rows whose label contains one of them. */
const ONLY = (process.env['XSIGN_FAULT_ONLY'] ?? '').split(',').filter((x) => x !== '');
const RUN = TARGETS.filter((t) => ONLY.length === 0 || ONLY.some((o) => label(t).includes(o)));

describe('fault injection: every write step × every fault (flow manager, Synapse)', { concurrency: CONCURRENCY }, () => {
  let hs: SynapseInfo;
  let started = 0;
  before(async () => {
    hs = await testSynapse();
    started = Date.now();
    console.log(`fault-injection: ${RUN.length} steps × ${FAULT_KINDS.length} faults = ${RUN.length * FAULT_KINDS.length} cases (concurrency ${CONCURRENCY})`);
  });
  after(() => {
    console.log(`fault-injection: matrix done in ${Date.now() - started} ms`);
    for (const [fault, message] of sampleMessages) console.log(`fault-injection: ${fault} → ${message}`);
  });

  for (const t of RUN) {
    for (const fault of FAULT_KINDS) {
      test(`${label(t)} × ${fault}`, () => runCase(hs, t, fault));
    }
  }
});

// The known risk: a reset that failed after its store steps leaves new, unpublished seeds in
// secret storage (the published master's seed only in the kept-aside copy). Running the reset
// again must not keep those leftovers aside in place of the published master's seed: if the
// second run fails too, the master still published would have no seed anywhere.
describe('fault injection: a reset that fails twice at device_signing/upload', () => {
  let hs: SynapseInfo;
  before(async () => { hs = await testSynapse(); });

  test('the master still published stays recoverable', async () => {
    const account = await buildAccount(hs, 'healthy', { devices: 1 });
    const proxy = await startFaultProxy(hs.baseUrl);
    const { flows } = nodeFlowManager(account.user, { baseUrl: () => proxy.url });
    try {
      const original = await publishedMaster(account.user);
      for (const attempt of [1, 2]) {
        const preview = await flows.preview({ sessionId: SESSION, kind: 'reset-cross-signing', recoveryKey: account.secretStorage!.recoveryKey });
        const upload = preview.steps.find((s) => s.uia)!;
        proxy.clear();
        proxy.add({ method: upload.method, path: upload.path, nth: 2, fault: 'http-500' });
        const end = await runToEnd(flows, preview.flowId, account.user.password);
        assert.equal(end.phase, 'failed');
        assert.equal(end.error?.step, upload.title);
        assert.equal(await publishedMaster(account.user), original, `attempt ${attempt}: nothing published`);
        await assertRecoverable(account, [original], `after failed attempt ${attempt}`);
      }
    } finally {
      await proxy.close();
    }
  });
});

// 429s the executor must NOT wait out (wait.ts DEFAULT_RATE_LIMIT: at most 5 waits, none longer
// than 120 s): the flow fails naming the step and saying when to try again, nothing is sent.
describe('fault injection: rate limits beyond the policy', () => {
  let hs: SynapseInfo;
  before(async () => { hs = await testSynapse(); });

  for (const [what, rule] of [
    ['one 429 asking for 10 minutes', { nth: 1, retryAfterMs: 600_000, wait: /retry after 600 s/ }],
    ['a 429 on every attempt', { nth: undefined, retryAfterMs: 50, wait: /retry after 1 s/ }],
  ] as const) {
    test(`sign-devices: ${what}`, async () => {
      const account = await buildAccount(hs, 'devices-not-cross-signed');
      const proxy = await startFaultProxy(hs.baseUrl);
      const { flows, views } = nodeFlowManager(account.user, { baseUrl: () => proxy.url });
      try {
        const preview = await flows.preview({ sessionId: SESSION, kind: 'sign-devices', recoveryKey: account.secretStorage!.recoveryKey });
        const step = preview.steps[0]!;
        proxy.add({ method: step.method, path: step.path, fault: 'rate-limited-429', retryAfterMs: rule.retryAfterMs, ...(rule.nth === undefined ? {} : { nth: rule.nth }) });
        const end = await runToEnd(flows, preview.flowId, account.user.password);
        assert.equal(end.phase, 'failed');
        assert.equal(end.error?.step, step.title);
        assert.match(end.error!.message, /M_LIMIT_EXCEEDED/);
        assert.match(end.error!.message, rule.wait);
        const attempts = proxy.log.filter((e) => e.path === step.path).length;
        assert.equal(attempts, rule.nth === undefined ? 6 : 1, 'the first attempt plus one per allowed wait');
        assert.equal(views.filter((v) => v.waitingMs !== undefined).length > 0, rule.nth === undefined, 'waits shown only when honoured');
        assert.equal(await stepApplied(account.user, step), false);
      } finally {
        await proxy.close();
      }
    });
  }
});
