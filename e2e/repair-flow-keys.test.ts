// The repairs that publish keys, run by the background's flow manager from Node against Synapse:
// regenerating only the self-signing key, a manual upload (pasted JSON and seeds), a reset kept
// safe by an export file, a reset that fails at its upload and is run again (the copy of the
// still-published key must survive the retry), and a background restart mid-flow (the same plan
// continues: docs/design.md#repair-resume).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { detectEd25519, encodeBase64, exportFormOf, generateCrossSigningKeys, parseKeysExportFile, readKeysExportFile } from '../src/core/index.ts';
import { buildAccount, type FixtureAccount } from './harness/identity.ts';
import { nodeFlowManager, runToEnd, untilFlow } from './harness/node-flows.ts';
import { publishedKeys } from './harness/server-keys.ts';
import { storedPublicKey } from './harness/stored-seeds.ts';
import { waitUntil } from './harness/ui-page.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { inspectAccount } from '../src/core/inspect/inspect-account.ts';
import { createMatrixClient } from '../src/core/matrix/client.ts';

const publishedKeysNow = async (a: FixtureAccount) => (await publishedKeys(a.user)).master;
const waitFor = (ok: () => Promise<boolean>, what: string) => waitUntil(what, async () => ((await ok()) ? true : undefined), 30_000);

const problems = async (hs: SynapseInfo, a: FixtureAccount, recoveryKey?: string) => {
  const client = createMatrixClient({ baseUrl: hs.baseUrl, accessToken: a.user.accessToken, fetch });
  const r = await inspectAccount(client, { userId: a.user.userId, deviceId: a.user.deviceId, secret: recoveryKey === undefined ? {} : { recoveryKey } });
  assert.ok(r.ok);
  return r.value.report.problems.map((p) => p.code).sort();
};

describe('key-publishing repairs in the background (Node, against Synapse)', { concurrency: true }, () => {
  let hs: SynapseInfo;
  before(async () => { hs = await testSynapse(); });

  test('regenerate the self-signing key only: master and user-signing key stay, sessions re-signed, old key kept aside', async () => {
    const a = await buildAccount(hs, 'healthy', { devices: 3 });
    const recoveryKey = a.secretStorage!.recoveryKey;
    const before = await publishedKeys(a.user);
    const { flows } = nodeFlowManager(a.user, { baseUrl: hs.baseUrl });
    const view = await flows.preview({ sessionId: 's1', kind: 'regenerate-subkeys', recoveryKey, subkeys: ['selfSigning'] });
    assert.deepEqual(view.steps.map((s) => s.id), ['keep-previous-store-self-signing', 'store-self-signing', 'upload-keys', 'sign-devices']);
    const upload = view.steps.find((s) => s.id === 'upload-keys')!.body as Record<string, unknown>;
    assert.deepEqual(Object.keys(upload), ['self_signing_key'], 'only the new self-signing key is uploaded');
    // The preview the popup shows redacts secrets as the diagnostic does (the new one and the copy kept aside).
    for (const id of ['keep-previous-store-self-signing', 'store-self-signing']) {
      type Secret = { encrypted: Record<string, Record<string, string>> };
      const body = view.steps.find((s) => s.id === id)!.body as Secret | { content: Secret };
      const entries = Object.values('content' in body ? body.content.encrypted : body.encrypted);
      assert.ok(entries.length > 0, id);
      for (const entry of entries) {
        assert.match(entry.ciphertext!, /^\[redacted: \d+ characters\]$/, id);
        assert.match(entry.mac!, /^\[redacted: \d+ characters\]$/, id);
        assert.equal(typeof entry.iv, 'string');
      }
    }
    const done = await runToEnd(flows, view.flowId, a.user.password);
    assert.equal(done.phase, 'done', JSON.stringify(done.result));
    const after = await publishedKeys(a.user);
    assert.equal(after.master, before.master);
    assert.equal(after.userSigning, before.userSigning);
    assert.notEqual(after.selfSigning, before.selfSigning);
    assert.equal(await storedPublicKey(hs, a, 'selfSigning', 'current'), after.selfSigning);
    assert.equal(await storedPublicKey(hs, a, 'selfSigning', 'previous'), before.selfSigning);
    assert.deepEqual(await problems(hs, a, recoveryKey), [], 'healthy: every session signed by the new key');
  });

  test('manual upload: bad input refused before anything is sent; pasted JSON published without UIA; seeds alone derive the keys', async () => {
    const a = await buildAccount(hs, 'no-cross-signing');
    const ed = await detectEd25519();
    const keys = await generateCrossSigningKeys(a.user.userId, ed);
    const other = await generateCrossSigningKeys(a.user.userId, ed);
    const { flows } = nodeFlowManager(a.user, { baseUrl: hs.baseUrl });
    const json = (k: unknown) => JSON.stringify(k);
    // A self-signing key signed by another master: refused, naming the problem.
    await assert.rejects(flows.preview({ sessionId: 's1', kind: 'manual-upload', manualKeys: { master: json(keys.master.key), selfSigning: json(other.selfSigning.key), userSigning: json(keys.userSigning.key) } }),
      /selfSigning key's signature by the master .* does not verify|not signed by the master/);
    await assert.rejects(flows.preview({ sessionId: 's1', kind: 'manual-upload', manualKeys: { master: '{"user_id":' } }), /master key is not valid JSON/);
    await assert.rejects(flows.preview({ sessionId: 's1', kind: 'manual-upload', manualKeys: { master: 'not a seed' } }), /neither CrossSigningKey JSON nor the base64 of a 32-byte seed/);
    await assert.rejects(flows.preview({ sessionId: 's1', kind: 'manual-upload', manualKeys: { master: json(keys.master.key) } }), /together with new self-signing and user-signing keys/);
    assert.equal((await publishedKeys(a.user)).master, undefined, 'nothing was sent');

    const view = await flows.preview({ sessionId: 's1', kind: 'manual-upload', manualKeys: { master: json(keys.master.key), selfSigning: json(keys.selfSigning.key), userSigning: json(keys.userSigning.key) } });
    const body = view.steps.at(-1)!.body as Record<string, unknown>;
    assert.deepEqual(body['self_signing_key'], keys.selfSigning.key, 'the key objects exactly as pasted');
    const done = await runToEnd(flows, view.flowId, a.user.password);
    assert.equal(done.phase, 'done', JSON.stringify(done.result));
    const after = await publishedKeys(a.user);
    assert.deepEqual([after.master, after.selfSigning, after.userSigning], [keys.master.publicKey, keys.selfSigning.publicKey, keys.userSigning.publicKey]);

    // Seeds only, for a second account: the keys are derived (subkeys signed by the master seed).
    const b = await buildAccount(hs, 'no-cross-signing');
    const seeds = await generateCrossSigningKeys(b.user.userId, ed);
    const second = nodeFlowManager(b.user, { baseUrl: hs.baseUrl }).flows;
    const v2 = await second.preview({ sessionId: 's1', kind: 'manual-upload', manualKeys: { master: encodeBase64(seeds.master.seed), selfSigning: encodeBase64(seeds.selfSigning.seed), userSigning: encodeBase64(seeds.userSigning.seed) } });
    assert.ok(v2.notes.some((n) => /not stored in secret storage/.test(n)), 'says the seeds are only the user\'s');
    assert.equal((await runToEnd(second, v2.flowId, b.user.password)).phase, 'done');
    const afterB = await publishedKeys(b.user);
    assert.deepEqual([afterB.master, afterB.selfSigning, afterB.userSigning], [seeds.master.publicKey, seeds.selfSigning.publicKey, seeds.userSigning.publicKey]);
  });

  test('reset with no secret storage: only with the export file, and Run refused until it is saved', async () => {
    const a = await buildAccount(hs, 'no-cross-signing');
    const { flows, mirror } = nodeFlowManager(a.user, { baseUrl: hs.baseUrl });
    await assert.rejects(flows.preview({ sessionId: 's1', kind: 'reset-cross-signing' }), /export file/);
    // The export is encrypted unless the user chose plaintext: a missing or short passphrase is refused before any read.
    await assert.rejects(flows.preview({ sessionId: 's1', kind: 'reset-cross-signing', exportKeys: true }), /Choose a passphrase for the export file: the passphrase must be at least 10 characters long \(or tick the warning/);
    await assert.rejects(flows.preview({ sessionId: 's1', kind: 'reset-cross-signing', exportKeys: true, exportPassphrase: 'too short' }), /at least 10 characters/);
    const exportPassphrase = 'the export file passphrase';
    const view = await flows.preview({ sessionId: 's1', kind: 'reset-cross-signing', exportKeys: true, exportPassphrase });
    assert.equal(view.exportRequired, true);
    assert.equal(view.exportEncrypted, true);
    assert.equal(exportFormOf(view.exportText), 'encrypted');
    const ed = await detectEd25519();
    assert.ok(!(await parseKeysExportFile(view.exportText!, ed)).ok, 'no plaintext seed in the file');
    const file = await readKeysExportFile(view.exportText!, exportPassphrase, ed);
    assert.ok(file.ok);
    assert.equal(file.value.userId, a.user.userId);
    assert.ok(!mirror.writes.join('\n').includes(encodeBase64(file.value.seeds.master!)), 'the export never reaches the mirror');
    assert.ok(!mirror.writes.join('\n').includes(exportPassphrase), 'nor its passphrase');
    assert.ok(!JSON.stringify(await flows.state('s1')).includes('exportText'));
    assert.throws(() => flows.start(view.flowId), /save it and confirm/);
    flows.start(view.flowId, true);
    const done = await runToEnd(flows, view.flowId, a.user.password);
    assert.equal(done.phase, 'done', JSON.stringify(done.result));
    assert.equal((await publishedKeys(a.user)).master, view.publicKeys!['master']);
    assert.equal(encodeBase64(await ed.publicKey(file.value.seeds.master!)), view.publicKeys!['master'], 'the saved file holds the published master');
  });

  test('a reset that fails at its upload, then runs again: the published key\'s copy survives, nothing is lost', async () => {
    const a = await buildAccount(hs, 'healthy');
    const recoveryKey = a.secretStorage!.recoveryKey;
    const original = await publishedKeys(a.user);
    let failUpload = true;
    const faulty: typeof fetch = (input, init) => (failUpload && String(input).endsWith('/keys/device_signing/upload')
      ? Promise.resolve(new Response('<html><body>502 Bad Gateway</body></html>', { status: 502, headers: { 'content-type': 'text/html' } }))
      : fetch(input, init));
    const { flows } = nodeFlowManager(a.user, { baseUrl: hs.baseUrl, fetch: faulty });
    const first = await flows.preview({ sessionId: 's1', kind: 'reset-cross-signing', recoveryKey });
    const failed = await runToEnd(flows, first.flowId, a.user.password);
    assert.equal(failed.phase, 'failed');
    assert.match(failed.error!.step!, /^Publish the new/);
    assert.match(failed.serverState!, new RegExp(`master ${original.master!.replace(/[+/]/g, '\\$&')} \\(not this repair's\\)`));
    assert.match(failed.result!.message, /Upload keys from secret storage/);
    assert.equal((await publishedKeys(a.user)).master, original.master, 'nothing published');
    assert.equal(await storedPublicKey(hs, a, 'master', 'current'), first.publicKeys!['master'], 'the unpublished new key is in secret storage');
    assert.equal(await storedPublicKey(hs, a, 'master', 'previous'), original.master, 'the published key is kept aside');

    // Run the reset again: the leftover goes to its own slot, the copy of the published key stays.
    failUpload = false;
    const second = await flows.preview({ sessionId: 's1', kind: 'reset-cross-signing', recoveryKey });
    assert.ok(second.steps.some((s) => s.id === 'keep-unpublished-store-master'));
    assert.ok(!second.steps.some((s) => s.id === 'keep-previous-store-master'), 'the previous copy is not overwritten by a never-published key');
    const done = await runToEnd(flows, second.flowId, a.user.password);
    assert.equal(done.phase, 'done', JSON.stringify(done.result));
    assert.equal((await publishedKeys(a.user)).master, second.publicKeys!['master']);
    assert.equal(await storedPublicKey(hs, a, 'master', 'current'), second.publicKeys!['master']);
    assert.equal(await storedPublicKey(hs, a, 'master', 'previous'), original.master, 'every master ever published is recoverable');
    assert.equal(await storedPublicKey(hs, a, 'master', 'unpublished'), first.publicKeys!['master']);
  });

  test('a background restart after the preview: a plain preview is restored and runs the same plan; one kept safe only by its export is previewed anew', async () => {
    const a = await buildAccount(hs, 'healthy');
    const first = nodeFlowManager(a.user, { baseUrl: hs.baseUrl });
    const view = await first.flows.preview({ sessionId: 's1', kind: 'reset-cross-signing', recoveryKey: a.secretStorage!.recoveryKey });
    first.stop();
    const restarted = nodeFlowManager(a.user, { baseUrl: hs.baseUrl, mirror: first.mirror });
    const again = await restarted.flows.state('s1');
    assert.deepEqual([again?.flowId, again?.planId, again?.phase], [view.flowId, view.planId, 'preview']);
    const done = await runToEnd(restarted.flows, view.flowId, a.user.password);
    assert.equal(done.phase, 'done', JSON.stringify(done.result));
    assert.equal((await publishedKeys(a.user)).master, view.publicKeys!['master']);

    // The export text went to the popup once; a restarted background cannot offer it again.
    const b = await buildAccount(hs, 'no-cross-signing');
    const withExport = nodeFlowManager(b.user, { baseUrl: hs.baseUrl });
    const exported = await withExport.flows.preview({ sessionId: 's1', kind: 'reset-cross-signing', exportKeys: true, exportPassphrase: 'the export file passphrase' });
    assert.ok(!JSON.stringify(withExport.mirror.runs).includes(exported.exportText!), 'the export is never mirrored');
    withExport.stop();
    const later = nodeFlowManager(b.user, { baseUrl: hs.baseUrl, mirror: withExport.mirror });
    const stopped = await later.flows.state('s1');
    assert.equal(stopped?.phase, 'failed');
    assert.match(stopped!.result!.message, /stopped before it started/);
    assert.throws(() => later.flows.start(exported.flowId), /no longer known/);
    assert.equal((await publishedKeys(b.user)).master, undefined, 'nothing was published');
  });

  test('a background restart at the password prompt: the same plan continues, the password is asked again, the previewed keys are published', async () => {
    const a = await buildAccount(hs, 'healthy');
    const recoveryKey = a.secretStorage!.recoveryKey;
    const first = nodeFlowManager(a.user, { baseUrl: hs.baseUrl });
    const view = await first.flows.preview({ sessionId: 's1', kind: 'reset-cross-signing', recoveryKey });
    first.flows.start(view.flowId);
    const prompted = await untilFlow(first.flows, 'the password prompt', (v) => v.phase === 'prompt');
    const completedBefore = prompted.progress.completed;
    assert.ok(completedBefore > 0, 'the secrets were stored before the upload asked');
    // The browser stops the background: the old instance is gone; a new one reads the same mirror.
    first.stop();
    const mirrored = JSON.stringify(first.mirror.runs);
    for (const secret of [a.user.password, a.user.accessToken, recoveryKey]) assert.ok(!mirrored.includes(secret), 'a secret in the mirrored run');
    const restarted = nodeFlowManager(a.user, { baseUrl: hs.baseUrl, mirror: first.mirror });
    const resumed = await restarted.flows.state('s1');
    assert.equal(resumed?.flowId, view.flowId, 'the same flow');
    assert.equal(resumed?.planId, view.planId, 'the same plan');
    assert.ok(resumed?.phase === 'running' || resumed?.phase === 'prompt', resumed?.phase);
    assert.match(resumed!.resumed!.message, /continues with the same plan and the same keys.*password is asked again/);
    const asked = await untilFlow(restarted.flows, 'the password asked again', (v) => v.prompt?.kind === 'password');
    assert.equal(asked.progress.completed, completedBefore, 'completed steps are not redone');
    const done = await runToEnd(restarted.flows, view.flowId, a.user.password);
    assert.equal(done.phase, 'done', JSON.stringify(done.result));
    const published = await publishedKeys(a.user);
    assert.deepEqual({ master: published.master, selfSigning: published.selfSigning, userSigning: published.userSigning }, view.publicKeys, 'exactly the keys the preview showed');
    assert.equal(await storedPublicKey(hs, a, 'master', 'current'), view.publicKeys!['master'], 'the published master is in secret storage');
    // Healthy but for the fixture's other session, which a reset does not sign (its notes say so).
    assert.ok(view.notes.some((n) => /other sessions .* are not signed by the new key/.test(n)), view.notes.join(' | '));
    assert.deepEqual(await problems(hs, a, recoveryKey), ['device-signed-by-old-key']);
  });

  test('a background restart after Synapse took the upload but before its answer: checked with the server, not sent again, no password asked', async () => {
    const a = await buildAccount(hs, 'healthy');
    const recoveryKey = a.secretStorage!.recoveryKey;
    const uploads: string[] = [];
    let hangAfterUpload = true;
    // Synapse does the authenticated upload; its answer never comes back (the worker then stops).
    const faulty: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith('/keys/device_signing/upload')) {
        uploads.push(String(init?.body ?? ''));
        const answer = await fetch(input, init);
        if (hangAfterUpload && answer.ok) return new Promise<Response>(() => {});
        return answer;
      }
      return fetch(input, init);
    };
    const first = nodeFlowManager(a.user, { baseUrl: hs.baseUrl, fetch: faulty });
    const view = await first.flows.preview({ sessionId: 's1', kind: 'reset-cross-signing', recoveryKey });
    first.flows.start(view.flowId);
    await untilFlow(first.flows, 'the password prompt', (v) => v.prompt?.kind === 'password');
    first.flows.password(view.flowId, a.user.password);
    await waitFor(() => (publishedKeysNow(a)).then((k) => k === view.publicKeys!['master']), 'Synapse to publish the new master');
    first.stop();
    hangAfterUpload = false;
    const sentBefore = uploads.length;
    const restarted = nodeFlowManager(a.user, { baseUrl: hs.baseUrl, fetch: faulty, mirror: first.mirror });
    await restarted.flows.state('s1');
    const done = await untilFlow(restarted.flows, 'the resumed flow to end', (v) => v.phase !== 'running' && v.phase !== 'prompt');
    assert.equal(done.phase, 'done', JSON.stringify(done.result));
    assert.equal(uploads.length, sentBefore, 'the applied upload was not sent again');
    assert.ok(!restarted.views.some((v) => v.prompt !== undefined), 'no prompt after the restart');
    assert.equal((await publishedKeys(a.user)).master, view.publicKeys!['master']);
    // Healthy but for the fixture's other session, which a reset does not sign (its notes say so).
    assert.ok(view.notes.some((n) => /other sessions .* are not signed by the new key/.test(n)), view.notes.join(' | '));
    assert.deepEqual(await problems(hs, a, recoveryKey), ['device-signed-by-old-key']);
  });
});
