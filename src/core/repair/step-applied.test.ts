// stepApplied and a resumed executePlan, against a fake client that answers from a map of what
// "the server" holds: an applied step is ticked without a request (and without UIA), anything
// else or anything unreadable is sent again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MatrixApiError } from '../matrix/errors.ts';
import { executePlan, type RepairClient } from './execute.ts';
import { finishPlan, putBackupStep, putSecretStep, startProgress, uploadKeysStep, uploadSignaturesStep, type RepairPlan } from './plans.ts';
import { recordingPrompter } from './prompter.test.ts';
import { stepApplied } from './step-applied.ts';

const ME = '@alice:example.org';
const MASTER = { user_id: ME, usage: ['master'], keys: { 'ed25519:MPUB': 'MPUB' } };
const SSK = { user_id: ME, usage: ['self_signing'], keys: { 'ed25519:SPUB': 'SPUB' }, signatures: { [ME]: { 'ed25519:MPUB': 'sig-m' } } };
const SECRET = { encrypted: { K1: { iv: 'aXY=', ciphertext: 'Y3Q=', mac: 'bWFj' } } };
const DEVICE_SIG = { [ME]: { DEV: { user_id: ME, device_id: 'DEV', signatures: { [ME]: { 'ed25519:SPUB': 'sig-d' } } } } };
const BACKUP = { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: { public_key: 'BK', signatures: { [ME]: { 'ed25519:MPUB': 'sig-b' } } } };

function plan(): RepairPlan {
  return finishPlan({
    kind: 'reset-cross-signing', title: 'Reset', userId: ME, safeguard: 'secret-storage', publicKeys: { master: 'MPUB' }, notes: [],
    steps: [
      putSecretStep('store-master', 'Store', ME, 'm.cross_signing.master', SECRET),
      uploadKeysStep('upload-keys', 'Upload', { master_key: MASTER, self_signing_key: SSK }, ['store-master']),
      uploadSignaturesStep('sign-devices', 'Sign', DEVICE_SIG, ['upload-keys']),
      putBackupStep('resign-backup', 'Backup', '1', BACKUP, ['upload-keys']),
    ],
  });
}

const notFound = () => new MatrixApiError('Not found', { status: 404, errcode: 'M_NOT_FOUND', body: {} } as ConstructorParameters<typeof MatrixApiError>[1]);

/** What the server holds; `sent` records every request. */
function fakeServer(holds: { secret?: unknown; keys?: Record<string, unknown>; device?: unknown; backup?: unknown; broken?: boolean }) {
  const sent: string[] = [];
  const client: RepairClient = {
    baseUrl: 'https://hs.example.org',
    request: (async (method: string, segments: readonly string[]) => {
      const path = segments.join('/');
      sent.push(`${method} ${path}`);
      if (method === 'GET' && path.includes('account_data')) {
        if (holds.broken) return 'not json we understand';
        if (holds.secret === undefined) throw notFound();
        return holds.secret;
      }
      if (method === 'GET' && path.includes('room_keys')) return holds.backup ?? (() => { throw notFound(); })();
      if (method === 'POST' && path.endsWith('keys/query')) {
        if (holds.broken) return { master_keys: 'garbage' };
        return { ...(holds.keys ?? {}), device_keys: { [ME]: holds.device === undefined ? {} : { DEV: holds.device } } };
      }
      // The executor parses this answer (parseSignaturesUploadResponse): no failures.
      return path.endsWith('signatures/upload') ? { failures: {} } : {};
    }) as RepairClient['request'],
  };
  return { client, sent };
}

describe('stepApplied', () => {
  const p = plan();
  const step = (id: string) => p.steps.find((s) => s.id === id)!;

  it('account data: the same content (key order aside) is applied; another content or a 404 is not', async () => {
    assert.equal(await stepApplied(fakeServer({ secret: { encrypted: { K1: { mac: 'bWFj', ciphertext: 'Y3Q=', iv: 'aXY=' } } } }).client, p, step('store-master')), true);
    assert.equal(await stepApplied(fakeServer({ secret: { encrypted: { K1: { iv: 'b3RoZXI=', ciphertext: 'Y3Q=', mac: 'bWFj' } } } }).client, p, step('store-master')), false);
    assert.equal(await stepApplied(fakeServer({}).client, p, step('store-master')), false);
  });

  it('key upload: applied only when every uploaded key is the published one', async () => {
    const published = { master_keys: { [ME]: { ...MASTER, signatures: { [ME]: { 'ed25519:DEV': 'added later' } } } }, self_signing_keys: { [ME]: SSK } };
    assert.equal(await stepApplied(fakeServer({ keys: published }).client, p, step('upload-keys')), true);
    assert.equal(await stepApplied(fakeServer({ keys: { master_keys: published.master_keys } }).client, p, step('upload-keys')), false, 'the SSK is not published');
    assert.equal(await stepApplied(fakeServer({ keys: { master_keys: { [ME]: { keys: { 'ed25519:OLD': 'OLD' } } }, self_signing_keys: { [ME]: SSK } } }).client, p, step('upload-keys')), false);
  });

  it('signatures and backup: applied when the planned signatures are on the server', async () => {
    assert.equal(await stepApplied(fakeServer({ device: { signatures: { [ME]: { 'ed25519:DEV': 'self', 'ed25519:SPUB': 'sig-d' } } } }).client, p, step('sign-devices')), true);
    assert.equal(await stepApplied(fakeServer({ device: { signatures: { [ME]: { 'ed25519:DEV': 'self' } } } }).client, p, step('sign-devices')), false);
    assert.equal(await stepApplied(fakeServer({ backup: { ...BACKUP, version: '1', count: 3, etag: '9' } }).client, p, step('resign-backup')), true);
    assert.equal(await stepApplied(fakeServer({ backup: { ...BACKUP, auth_data: { public_key: 'BK' } } }).client, p, step('resign-backup')), false);
  });

  it('an answer it cannot read (HOSTILE server) counts as not applied: the step is sent again', async () => {
    assert.equal(await stepApplied(fakeServer({ broken: true }).client, p, step('store-master')), false);
    assert.equal(await stepApplied(fakeServer({ broken: true }).client, p, step('upload-keys')), false);
  });
});

describe('executePlan, resumed', () => {
  it('the in-flight upload is already published: ticked without sending it, no prompt; the rest is sent once', async () => {
    const p = plan();
    const { client, sent } = fakeServer({ keys: { master_keys: { [ME]: MASTER }, self_signing_keys: { [ME]: SSK } } });
    const ui = recordingPrompter({});
    const progress = { ...startProgress(p), completedStepIds: ['store-master'], results: { 'store-master': { status: 'done' as const } } };
    const outcome = await executePlan(p, { client, ui, progress, resumed: true });
    assert.equal(outcome.progress.finished, true);
    assert.deepEqual([ui.offers.length, ui.passwordAttempts.length], [0, 0]);
    assert.deepEqual(sent.map((r) => r.replace(/^(\w+) .*?(keys\/\w+(\/\w+)?|room_keys.*)$/, '$1 $2')), [
      'POST keys/query', // the check of the in-flight step only
      'POST keys/signatures/upload',
      'PUT room_keys/version/1',
    ]);
  });

  it('not resumed, or the step not on the server: it is sent (the check is asked at most once)', async () => {
    const p = plan();
    const { client, sent } = fakeServer({});
    const progress = { ...startProgress(p), completedStepIds: ['store-master', 'upload-keys'], results: {} };
    await executePlan(p, { client, ui: recordingPrompter({}), progress, resumed: true });
    assert.deepEqual(sent.filter((r) => !r.includes('keys/query')).map((r) => r.split(' ')[0]), ['POST', 'PUT']);
    assert.equal(sent.filter((r) => r.includes('keys/query')).length, 1);
  });

  it('the upload is sent only while the secrets it needs are still stored as planned; changed by another client: refused, nothing sent', async () => {
    const p = plan();
    const progress = { ...startProgress(p), completedStepIds: ['store-master'], results: { 'store-master': { status: 'done' as const } } };
    // Still there: the upload goes out (after the password).
    const same = fakeServer({ secret: SECRET });
    await executePlan(p, { client: same.client, ui: recordingPrompter({ passwords: ['pw'] }), progress, resumed: true });
    assert.ok(same.sent.some((r) => r.startsWith('POST') && r.endsWith('keys/device_signing/upload')));
    // Overwritten in between (another client's reset): refused before anything is written.
    const other = { encrypted: { K1: { iv: 'b3RoZXI=', ciphertext: 'b3RoZXI=', mac: 'b3RoZXI=' } } };
    const changed = fakeServer({ secret: other });
    await assert.rejects(executePlan(p, { client: changed.client, ui: recordingPrompter({ passwords: ['pw'] }), progress, resumed: true }),
      (e: Error) => e.name === 'PlanMismatchError' && /"Store" is no longer on the server/.test(e.message));
    assert.deepEqual(changed.sent.filter((r) => !r.startsWith('GET') && !r.endsWith('keys/query')), [], 'nothing written');
  });
});
