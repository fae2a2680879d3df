import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nobleEd25519 } from '../ed25519.ts';
import { encodeBase64 } from '../base64.ts';
import { BROKEN, quoted } from '../broken-json.test.ts';
import { buildManualUpload, PlanRefusedError, type PlanContext } from './build-plans.ts';

describe('buildManualUpload: a pasted key that is not JSON', () => {
  it('names the key and the position, never quoting the text (which may hold a seed)', async () => {
    const ctx = { userId: '@alice:hs', ed: nobleEd25519 } as unknown as PlanContext;
    for (const text of BROKEN) {
      await assert.rejects(buildManualUpload(ctx, { master: text }), (error: Error) => {
        assert.ok(error instanceof PlanRefusedError);
        assert.match(error.message, /^the master key is not valid JSON \(at line \d+, column \d+\)$/);
        assert.equal(quoted(error.message.replace(/^the master key is /, ''), text), undefined, error.message);
        return true;
      });
    }
  });
});

// The builders on a real account state (src/core/inspect/fixture.test.ts), called directly: what
// each picks from the inspected account, and when each refuses.
import { buildRegenerate, buildReencrypt, buildReset, buildResignBackup, buildSignDevices, buildUpload, checkKeyInput } from './build-plans.ts';
import { buildReport } from '../inspect/report.ts';
import { deviceKeys, DEVICES, healthyView, KEY_ID, KEYS_A, RECOVERY_KEY, seed, SSSS_KEY, stateOf, USER, type ServerView } from '../inspect/fixture.test.ts';

async function contextOf(view: ServerView, withKey = true): Promise<PlanContext> {
  const state = stateOf(view);
  const report = await buildReport(state, { userId: USER, deviceId: 'DEVICEONE', ed: nobleEd25519, ...(withKey ? { secretStorageKey: new Uint8Array(SSSS_KEY) } : {}) });
  const checked = withKey ? await checkKeyInput(state, KEY_ID, { recoveryKey: RECOVERY_KEY }) : undefined;
  if (checked !== undefined && !checked.ok) throw new Error(checked.message);
  return { state, report, userId: USER, deviceId: 'DEVICEONE', ed: nobleEd25519, ssss: checked?.key };
}
const refusedWith = (code: string) => (error: unknown): boolean => {
  assert.ok(error instanceof PlanRefusedError, String(error));
  assert.equal(error.code, code, error.message);
  return true;
};

describe('buildSignDevices', () => {
  it('by default signs exactly the sessions not validly cross-signed, with the self-signing key from secret storage', async () => {
    const view = await healthyView();
    const devices = (view.keysQuery.device_keys as Record<string, Record<string, unknown>>)[USER]!;
    devices.DEVICETHREE = await deviceKeys('DEVICETHREE', seed(23));
    const built = await buildSignDevices(await contextOf(view), {});
    assert.equal(built.plan.kind, 'sign-devices');
    const body = built.plan.steps[0]!.request.body as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(body[USER]!), ['DEVICETHREE']);
    assert.ok(built.secrets.length > 0 && built.secrets.every((s) => s.length === 32), 'the seed read is handed over for wiping');
  });
  it('refuses a device picked by hand that cannot be signed (its own signature is wrong)', async () => {
    const view = await healthyView();
    const devices = (view.keysQuery.device_keys as Record<string, Record<string, unknown>>)[USER]!;
    const forged = await deviceKeys('DEVICETHREE', seed(23));
    (forged.signatures as Record<string, Record<string, string>>)[USER]!['ed25519:DEVICETHREE'] = encodeBase64(new Uint8Array(64).fill(9));
    devices.DEVICETHREE = forged;
    await assert.rejects(buildSignDevices(await contextOf(view), { deviceIds: ['DEVICETHREE'] }),
      (e: unknown) => refusedWith('bad-input')(e) && /cannot cross-sign DEVICETHREE/.test((e as Error).message));
  });
  it('refuses an unknown device and has nothing to do on a healthy account', async () => {
    const ctx = await contextOf(await healthyView());
    await assert.rejects(buildSignDevices(ctx, { deviceIds: ['NOSUCH'] }), refusedWith('bad-input'));
    await assert.rejects(buildSignDevices(ctx, {}), refusedWith('nothing-to-do'));
  });
});

describe('buildReset', () => {
  it('stores the three new keys under the checked key before the upload, cross-signs this session and re-signs the backup', async () => {
    const built = await buildReset(await contextOf(await healthyView()), {});
    const ids = built.plan.steps.map((s) => s.id);
    assert.equal(built.plan.safeguard, 'secret-storage');
    assert.ok(ids.indexOf('store-master') < ids.indexOf('upload-keys'));
    assert.ok(ids.includes('resign-backup'), 'the backup key is in secret storage');
    assert.equal(built.exportText, undefined);
    assert.deepEqual(Object.keys(built.plan.publicKeys).sort(), ['master', 'selfSigning', 'userSigning']);
  });
  it('without a secret-storage key: only with the export file, whose text it returns', async () => {
    const view = await healthyView();
    const built = await buildReset(await contextOf(view, false), { exportKeys: true });
    assert.equal(built.plan.safeguard, 'export-confirmed');
    assert.ok(built.exportText?.includes(USER));
    assert.ok(!built.plan.steps.some((s) => s.kind === 'put-secret'), 'nothing stored without the key');
    await assert.rejects(buildReset(await contextOf(view, false), {}), PlanRefusedError);
  });
});

describe('buildRegenerate', () => {
  it('only the user-signing key: one new key under the same master, no device signed again', async () => {
    const built = await buildRegenerate(await contextOf(await healthyView()), { selfSigning: false, userSigning: true });
    // publicKeys names the master it works with, and the one new key.
    assert.deepEqual(Object.keys(built.plan.publicKeys).sort(), ['master', 'userSigning']);
    const upload = built.plan.steps.find((s) => s.kind === 'upload-cross-signing-keys')!.request.body as Record<string, unknown>;
    assert.deepEqual(Object.keys(upload).sort(), ['user_signing_key']);
    assert.ok(!built.plan.steps.some((s) => s.kind === 'upload-signatures'));
  });
  it('refuses to regenerate nothing, and without a published master', async () => {
    const view = await healthyView();
    await assert.rejects(buildRegenerate(await contextOf(view), { selfSigning: false, userSigning: false }), refusedWith('bad-input'));
    delete view.keysQuery.master_keys;
    await assert.rejects(buildRegenerate(await contextOf(view), { selfSigning: true, userSigning: true }), refusedWith('bad-input'));
  });
});

describe('buildUpload, buildResignBackup, buildReencrypt', () => {
  it('upload: nothing to do when secret storage holds the published keys; publishes them when the server lost them', async () => {
    const view = await healthyView();
    await assert.rejects(buildUpload(await contextOf(view)), refusedWith('nothing-to-do'));
    for (const k of ['master_keys', 'self_signing_keys', 'user_signing_keys']) delete view.keysQuery[k];
    const built = await buildUpload(await contextOf(view));
    assert.equal(built.plan.kind, 'upload-keys');
    assert.ok(built.plan.publicKeys.master !== undefined);
  });
  it('resign-backup: nothing to do without a backup; signs with the master from secret storage', async () => {
    const view = await healthyView();
    const built = await buildResignBackup(await contextOf(view));
    assert.equal(built.plan.steps.at(-1)!.kind, 'put-backup-version');
    view.backup = null;
    await assert.rejects(buildResignBackup(await contextOf(view)), refusedWith('nothing-to-do'));
  });
  it('re-encrypt: nothing to do when no secret is under the source key', async () => {
    const ctx = await contextOf(await healthyView());
    await assert.rejects(async () => buildReencrypt(ctx, { ...ctx.ssss!, keyId: 'OTHERKEYID' }), refusedWith('nothing-to-do'));
    void KEYS_A; void DEVICES;
  });
});
