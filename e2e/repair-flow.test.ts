// The background's repair-flow manager (src/background/repair-flow.ts) driven directly from Node
// against Synapse, without a browser: one flow per session, what is mirrored to storage.session
// (never the password or recovery key), cancelling at the password prompt, and errors that name
// the step. The popup side is covered in repair.test.ts.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { wire } from '../src/core/index.ts';
import { buildAccount, queryOwnKeys, type FixtureAccount } from './harness/identity.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { nodeFlowManager, untilFlow } from './harness/node-flows.ts';

/** The flow manager against Synapse; `failWrites` turns signature uploads into 500s while it holds. */
function manager(hs: SynapseInfo, account: FixtureAccount, opts: { failWrites?: () => boolean } = {}) {
  const fetchFn: typeof fetch = (input, init) => {
    if (opts.failWrites?.() && init?.method === 'POST' && String(input).includes('/keys/signatures/upload')) {
      return Promise.resolve(new Response(JSON.stringify({ errcode: 'M_UNKNOWN', error: 'Internal server error' }), { status: 500, headers: { 'content-type': 'application/json' } }));
    }
    return fetch(input, init);
  };
  const { flows, mirror } = nodeFlowManager(account.user, { baseUrl: hs.baseUrl, fetch: fetchFn });
  return { flows, mirrored: mirror.writes };
}

const masterOf = async (hs: SynapseInfo, a: FixtureAccount) => {
  const keys = (await queryOwnKeys({ baseUrl: hs.baseUrl, userId: a.user.userId, accessToken: a.user.accessToken })) as wire.KeysQueryResponse;
  return Object.values(keys.master_keys?.[a.user.userId]?.keys ?? {})[0];
};

describe('repair flows in the background (Node, against Synapse)', () => {
  let hs: SynapseInfo;
  before(async () => { hs = await testSynapse(); });

  test('reset: one flow per session, password prompt mirrored without the password, cancel at the prompt', async () => {
    const account = await buildAccount(hs, 'healthy');
    const recoveryKey = account.secretStorage!.recoveryKey;
    const { flows, mirrored } = manager(hs, account);
    await assert.rejects(flows.preview({ sessionId: 's1', kind: 'reset-cross-signing' }), /recovery key/);
    const preview = await flows.preview({ sessionId: 's1', kind: 'reset-cross-signing', recoveryKey });
    assert.equal(preview.phase, 'preview');
    assert.ok(preview.steps.some((s) => s.path === '/_matrix/client/v3/keys/device_signing/upload' && s.uia));

    const first = flows.start(preview.flowId);
    const second = flows.start(preview.flowId);
    assert.equal(first.flowId, second.flowId);
    const prompt = await untilFlow(flows, 'the password prompt', (v) => v.phase === 'prompt');
    assert.deepEqual(prompt.prompt, { kind: 'password', attempt: 1 });
    // A second preview while it runs returns the running flow.
    const again = await flows.preview({ sessionId: 's1', kind: 'sign-devices', recoveryKey });
    assert.equal(again.flowId, preview.flowId);
    assert.throws(() => flows.password('no-such-flow', 'x'), /no longer known/);

    flows.password(preview.flowId, 'wrong-password-123');
    const retry = await untilFlow(flows, 'the second prompt', (v) => v.prompt?.kind === 'password' && v.prompt.attempt === 2);
    assert.ok(retry.prompt?.kind === 'password' && typeof retry.prompt.error === 'string' && retry.prompt.error.length > 0);
    flows.cancel(preview.flowId);
    const done = await untilFlow(flows, 'the cancellation', (v) => v.phase === 'cancelled');
    assert.equal(done.result?.outcome, 'cancelled');
    assert.equal(done.error?.step, preview.steps.find((s) => s.uia)?.title);
    assert.equal(await masterOf(hs, account), account.crossSigning!.master.publicKey, 'nothing published');

    const all = mirrored.join('\n');
    assert.ok(mirrored.some((m) => m.includes('"kind":"password"')), 'the prompt is mirrored');
    for (const secret of ['wrong-password-123', account.user.password, account.user.accessToken, recoveryKey, recoveryKey.replace(/ /g, '')]) {
      assert.ok(!all.includes(secret), 'a secret in the mirror');
    }
  });

  test('sign-devices: a failing step is named in the error, and nothing private is mirrored', async () => {
    const account = await buildAccount(hs, 'devices-not-cross-signed');
    let fail = true;
    const { flows, mirrored } = manager(hs, account, { failWrites: () => fail });
    const preview = await flows.preview({ sessionId: 's1', kind: 'sign-devices', recoveryKey: account.secretStorage!.recoveryKey });
    flows.start(preview.flowId);
    const failed = await untilFlow(flows, 'the failure', (v) => v.phase === 'failed');
    assert.equal(failed.error?.step, preview.steps[0]!.title);
    assert.match(failed.result!.message, new RegExp(`^${preview.steps[0]!.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    // A finished flow is replaced by a new preview, which runs to the end.
    fail = false;
    const next = await flows.preview({ sessionId: 's1', kind: 'sign-devices', recoveryKey: account.secretStorage!.recoveryKey });
    assert.notEqual(next.flowId, preview.flowId);
    flows.start(next.flowId);
    const ok = await untilFlow(flows, 'success', (v) => v.phase === 'done');
    assert.deepEqual(ok.progress, { completed: 1, total: 1 });
    assert.ok(!mirrored.join('\n').includes(account.secretStorage!.recoveryKey));
  });
});
