import assert from 'node:assert/strict';
import { afterEach, before, beforeEach, describe, it } from 'node:test';
import { encodeBase64 } from '../base64.ts';
import { curve25519PublicKey } from '../curve25519.ts';
import { nobleEd25519 } from '../ed25519.ts';
import { createMatrixClient } from '../matrix/client.ts';
import { ConnectionError } from '../matrix/errors.ts';
import { createSecretStorageKeyDescription } from '../secret-storage.ts';
import { signJson } from '../signing.ts';
import { PlanMismatchError, RepairCancelledError } from './errors.ts';
import { executePlan, planIntact } from './execute.ts';
import { ALICE, PASSWORD, startScriptedSynapse, TOKEN, type ScriptedSynapse } from './fake-synapse.test.ts';
import { generateCrossSigningKeys, type GeneratedCrossSigningKeys } from './keys.ts';
import { planCrossSignDevices } from './plan-devices.ts';
import { planResetCrossSigning } from './plan-reset.ts';
import { finishPlan, uploadKeysStep, type RepairPlan, type RepairProgress } from './plans.ts';
import { recordingPrompter, type PrompterScript } from './prompter.test.ts';
import { prepareSecretStorageKey, type CheckedSecretStorageKey } from './secrets.ts';

const ed = nobleEd25519;
const rand = () => globalThis.crypto.getRandomValues(new Uint8Array(32));
let s: ScriptedSynapse;
let old: GeneratedCrossSigningKeys;
let keys: GeneratedCrossSigningKeys;
let ssssKey: Uint8Array;
let ssss: CheckedSecretStorageKey;
let device: Record<string, unknown>;
let deviceSeed: Uint8Array;
let backupPrivate: Uint8Array;

async function makeDevice(deviceId: string) {
  const seed = rand();
  const bare = { user_id: ALICE, device_id: deviceId, algorithms: ['m.megolm.v1.aes-sha2'], keys: { [`ed25519:${deviceId}`]: encodeBase64(await ed.publicKey(seed)) } };
  return { device: { ...(await signJson(bare, { entity: ALICE, keyId: `ed25519:${deviceId}`, seed }, ed)), unsigned: { device_display_name: 'x' } }, seed };
}

before(async () => {
  old = await generateCrossSigningKeys(ALICE, ed);
  ssssKey = rand();
  const r = await prepareSecretStorageKey({ keyId: 'K1', key: ssssKey, description: await createSecretStorageKeyDescription(ssssKey), defaultKey: { key: 'K1' } });
  assert.ok(r.ok);
  ssss = r.value;
  ({ device, seed: deviceSeed } = await makeDevice('ABCDEFGHIJ'));
  backupPrivate = rand();
});
beforeEach(async () => {
  keys = await generateCrossSigningKeys(ALICE, ed);
});
afterEach(() => s?.close());

async function resetPlan(): Promise<RepairPlan> {
  const backup = { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: { public_key: encodeBase64(curve25519PublicKey(backupPrivate)) }, count: 0, etag: '0', version: '1' };
  const r = await planResetCrossSigning({ keys, secretStorage: ssss, devices: [device], ed,
    backup: { version: backup, trust: { kind: 'backup-key', privateKey: backupPrivate }, deviceIds: ['ABCDEFGHIJ'] } });
  assert.ok(r.ok);
  return r.value;
}

/** An existing identity on the server, so replacing it needs UIA. */
async function synapseWithIdentity(mode: 'password' | 'mas' = 'password'): Promise<void> {
  s = await startScriptedSynapse(mode);
  s.stored = { master_key: old.master.key, self_signing_key: old.selfSigning.key, user_signing_key: old.userSigning.key };
}

function run(plan: RepairPlan, script: PrompterScript, extra: { progress?: RepairProgress; signal?: AbortSignal } = {}) {
  const ui = recordingPrompter(script);
  const snapshots: RepairProgress[] = [];
  const client = createMatrixClient({ baseUrl: s.url, fetch, accessToken: TOKEN });
  const done = executePlan(plan, { client, ui, onProgress: (p) => { snapshots.push(JSON.parse(JSON.stringify(p))); }, uia: { pollIntervalMs: 10 }, ...extra });
  return { ui, snapshots, done };
}

const secretsOf = () => [keys.master.seed, keys.selfSigning.seed, keys.userSigning.seed, ssssKey, deviceSeed, backupPrivate].map(encodeBase64);
const calls = () => s.hs.requests.map((r) => `${r.method} ${r.path.replace(/\/user\/[^/]+\/account_data\//, '/account_data/')}`);

describe('executePlan against a scripted stand-in for Synapse', () => {
  it('runs a full reset in order, with password UIA, saving serialisable progress after every step', async () => {
    await synapseWithIdentity();
    const plan = await resetPlan();
    const { ui, snapshots, done } = run(plan, { passwords: [PASSWORD] });
    const outcome = await done;
    assert.deepEqual(calls(), [
      'PUT /_matrix/client/v3/account_data/m.cross_signing.master',
      'PUT /_matrix/client/v3/account_data/m.cross_signing.self_signing',
      'PUT /_matrix/client/v3/account_data/m.cross_signing.user_signing',
      'POST /_matrix/client/v3/keys/device_signing/upload',
      'POST /_matrix/client/v3/keys/device_signing/upload',
      'POST /_matrix/client/v3/keys/signatures/upload',
      'PUT /_matrix/client/v3/room_keys/version/1',
    ]);
    assert.equal(ui.passwordAttempts.length, 1);
    assert.deepEqual(snapshots.map((p) => p.completedStepIds.length), [1, 2, 3, 4, 5, 6]);
    assert.equal(outcome.progress.finished, true);
    assert.deepEqual(outcome.progress.publicKeys, { master: keys.master.publicKey, selfSigning: keys.selfSigning.publicKey, userSigning: keys.userSigning.publicKey });
    assert.deepEqual(outcome.failures, []);
    const json = JSON.stringify(snapshots);
    for (const secret of [...secretsOf(), TOKEN, PASSWORD]) assert.ok(!json.includes(secret));
    assert.deepEqual(s.stored, { master_key: keys.master.key, self_signing_key: keys.selfSigning.key, user_signing_key: keys.userSigning.key });
    // Every request went out exactly as previewed (the upload plus auth).
    for (const [i, step] of plan.steps.entries()) {
      const sent = s.hs.requests[i < 4 ? i : i + 1]!;
      assert.equal(sent.body, JSON.stringify(step.request.body), step.id);
    }
  });

  it('a lost upload response: resuming from the saved progress resends without a prompt and skips the stored steps', async () => {
    await synapseWithIdentity();
    const plan = await resetPlan();
    s.loseNextSuccess = true;
    const first = run(plan, { passwords: [PASSWORD] });
    await assert.rejects(first.done, (e: unknown) => e instanceof ConnectionError);
    const saved = first.snapshots.at(-1)!;
    assert.deepEqual(saved.completedStepIds, ['store-master', 'store-self-signing', 'store-user-signing']);
    const before = s.hs.requests.length;
    const second = run(plan, { passwords: [PASSWORD] }, { progress: saved });
    const outcome = await second.done;
    assert.equal(outcome.progress.finished, true);
    assert.deepEqual([second.ui.offers.length, second.ui.passwordAttempts.length], [0, 0]);
    assert.deepEqual(calls().slice(before), [
      'POST /_matrix/client/v3/keys/device_signing/upload',
      'POST /_matrix/client/v3/keys/signatures/upload',
      'PUT /_matrix/client/v3/room_keys/version/1',
    ]);
    assert.equal(JSON.parse(s.hs.requests[before]!.body).auth, undefined);
    // Resuming a finished plan sends nothing.
    const count = s.hs.requests.length;
    await run(plan, {}, { progress: outcome.progress }).done;
    assert.equal(s.hs.requests.length, count);
  });

  it('records per-device signature failures in Synapse\'s {status, errcode, message} shape', async () => {
    await synapseWithIdentity();
    const second = await makeDevice('KLMNOPQRST');
    s.unknownDevices.add('KLMNOPQRST');
    const r = await planCrossSignDevices({ userId: ALICE, selfSigningSeed: old.selfSigning.seed, publishedSelfSigningKey: old.selfSigning.key, devices: [device, second.device], ed });
    assert.ok(r.ok);
    const outcome = await run(r.value, {}).done;
    const failure = { userId: ALICE, keyId: 'KLMNOPQRST', errcode: 'M_NOT_FOUND', message: 'Unknown device', status: 404 };
    assert.deepEqual(outcome.failures, [failure]);
    assert.deepEqual(outcome.progress.results['sign-devices'], { status: 'done-with-failures', failures: [failure] });
  });

  it('honours a 429 on a plain step, reporting the wait', async () => {
    await synapseWithIdentity();
    s.rateLimit.accountData = 1;
    s.rateLimit.retryAfterMs = 40;
    const { ui, done } = run(await resetPlan(), { passwords: [PASSWORD] });
    await done;
    assert.deepEqual(ui.waits, [40]);
    assert.equal(calls().filter((c) => c.endsWith('m.cross_signing.master')).length, 2);
  });

  it('cancellation while waiting for approval (MAS): RepairCancelledError, progress says what was done', async () => {
    await synapseWithIdentity('mas');
    const controller = new AbortController();
    const { snapshots, done } = run(await resetPlan(), { openApproval: async () => { setTimeout(() => controller.abort(), 40); } }, { signal: controller.signal });
    await assert.rejects(done, (e: unknown) => e instanceof RepairCancelledError);
    assert.deepEqual(snapshots.at(-1)!.completedStepIds, ['store-master', 'store-self-signing', 'store-user-signing']);
    assert.deepEqual(s.stored.master_key, old.master.key);
  });

  it('refuses an edited plan, progress of another plan, and an upload whose secrets are not stored yet', async () => {
    await synapseWithIdentity();
    const plan = await resetPlan();
    assert.ok(planIntact(plan));
    const edited = structuredClone(plan);
    (edited.steps[3]!.request.body as Record<string, unknown>)['master_key'] = old.master.key;
    assert.ok(!planIntact(edited));
    await assert.rejects(run(edited, {}).done, PlanMismatchError);
    const other = await resetPlan();
    const foreign = { ...(await run(other, { passwords: [PASSWORD] }).done).progress };
    await assert.rejects(run(plan, {}, { progress: foreign }).done, PlanMismatchError);
    const { format: _f, version: _v, id: _id, ...fields } = plan;
    const sneaky = finishPlan({ ...fields, steps: [uploadKeysStep('upload-keys', 'x', plan.steps[3]!.request.body, ['store-master']), plan.steps[0]!] });
    assert.ok(planIntact(sneaky));
    const count = s.hs.requests.length;
    await assert.rejects(run(sneaky, {}).done, (e: unknown) => e instanceof PlanMismatchError && e.message.includes('needs store-master first'));
    assert.equal(s.hs.requests.length, count, 'nothing was sent');
  });
});
