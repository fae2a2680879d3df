// The composed fix on real account states (src/core/inspect/fixture.test.ts: keys signed with
// real seeds, secrets really encrypted), prepared by prepareRepair({kind: 'fix'}): which parts,
// in which order, what is absorbed, and that the result is ONE plan with at most one UIA step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMatrixClient } from '../matrix/client.ts';
import { encodeBase64 } from '../base64.ts';
import { CAUSE_OF_CODE, groupCauses, rankOf } from '../inspect/causes.ts';
import {
  backupVersion, crossSigningKey, DEVICES, deviceKeys, ed, healthyView, KEYS_A, KEYS_B, RECOVERY_KEY, seed, storeSecrets, KEY_ID, SSSS_KEY, USER,
  type ServerView,
} from '../inspect/fixture.test.ts';
import { problem, PROBLEM_CODES, type ProblemCode } from '../inspect/problems.ts';
import type { Report } from '../inspect/report-types.ts';
import { composeFix } from './compose-fix.ts';
import { composePlans, finishPlan, putSecretStep, type RepairPlan } from '../repair/plans.ts';
import { prepareRepair } from './prepare-repair.ts';
import { DEFAULT_KEY_TYPE } from '../inspect/account-state.ts';
import { inspectAccount } from '../inspect/inspect-account.ts';
import { exportKeysFile } from '../repair/export.ts';
import { executePlan } from '../repair/execute.ts';
import { recordingPrompter } from '../repair/prompter.test.ts';
import { ROLE, ROLES } from '../roles.ts';
import { fetchFromView } from './view-fetch.test.ts';
import type { RepairRequest } from './repair-request.ts';

const SESSION = { userId: USER, deviceId: 'DEVICEONE' };
const ks = (view: ServerView): Record<string, Record<string, unknown>> => view.keysQuery as Record<string, Record<string, unknown>>;
const devicesOf = (view: ServerView) => ks(view).device_keys![USER] as Record<string, unknown>;
const pubOf = async (s: Uint8Array): Promise<string> => Object.values((await crossSigningKey('master', s)).keys as Record<string, string>)[0]!;
const pair = async (role: (typeof ROLES)[number], s: Uint8Array) => ({ seed: s, publicKey: Object.values((await crossSigningKey(ROLE[role].usage, s)).keys as Record<string, string>)[0]!, key: {} });

async function fix(view: ServerView, request: Partial<Extract<RepairRequest, { kind: 'fix' }>> = {}) {
  const client = createMatrixClient({ baseUrl: 'https://hs.example', accessToken: 'syt_test', fetch: fetchFromView(view) });
  return prepareRepair(client, SESSION, { kind: 'fix', ...request }, { recoveryKey: RECOVERY_KEY }, { ed });
}

/** The parts of a composed plan, from its step IDs (`<n>-<kind>/<step>`), in order. */
const partsOf = (stepIds: readonly string[]): string[] => [...new Set(stepIds.map((id) => /^\d+-([a-z-]+)\//.exec(id)?.[1] ?? id))];

describe('the composed fix', () => {
  it('a healthy account: nothing to do', async () => {
    const result = await fix(await healthyView());
    assert.equal(result.ok ? 'a plan' : result.error.code, 'nothing-to-do');
  });

  it('sessions with the old signature and a backup signed by a session only: sign the sessions, then re-sign the backup, as one plan', async () => {
    const view = await healthyView();
    devicesOf(view).DEVICETHREE = await deviceKeys('DEVICETHREE', seed(23), KEYS_B.ssk);
    devicesOf(view).DEVICEFOUR = await deviceKeys('DEVICEFOUR', seed(24), KEYS_B.ssk);
    view.backup = await backupVersion([{ keyId: 'ed25519:DEVICEONE', seed: DEVICES.DEVICEONE! }]);
    const result = await fix(view);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    const { plan, report } = result.value;
    // One cause for both sessions, one for the backup.
    assert.deepEqual(groupCauses(report.problems).map((c) => [c.id, [...c.subjects].sort()]), [
      ['sessions-old-signature', ['DEVICEFOUR', 'DEVICETHREE']], ['backup-untrusted', []],
    ]);
    assert.equal(plan.kind, 'fix');
    assert.deepEqual(partsOf(plan.steps.map((s) => s.id)), ['sign-devices', 'resign-backup']);
    assert.equal(plan.steps.filter((s) => s.uia).length, 0, 'nothing here needs the password');
    const signed = Object.keys((plan.steps[0]!.request.body as Record<string, Record<string, unknown>>)[USER]!);
    assert.deepEqual(signed.sort(), ['DEVICEFOUR', 'DEVICETHREE']);
    result.value.dispose();
  });

  it('the master\'s secret lost: ONE reset that also signs the chosen sessions and re-signs the backup (absorbed), one UIA step', async () => {
    const view = await healthyView();
    view.accountData.delete('m.cross_signing.master');
    devicesOf(view).DEVICETHREE = await deviceKeys('DEVICETHREE', seed(23)); // not cross-signed either
    const result = await fix(view);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    const { plan, remarks } = result.value;
    assert.deepEqual(partsOf(plan.steps.map((s) => s.id)), ['reset-cross-signing']);
    assert.equal(plan.steps.filter((s) => s.uia).length, 1);
    const sign = plan.steps.find((s) => s.id.endsWith('/sign-devices'))!;
    assert.deepEqual(Object.keys((sign.request.body as Record<string, Record<string, unknown>>)[USER]!).sort(), ['DEVICEONE', 'DEVICETHREE', 'DEVICETWO']);
    assert.ok(plan.steps.some((s) => s.id.endsWith('/resign-backup')), 'the backup is re-signed with the new master in the same plan');
    // "nothing lost" survives the prefixing: the upload still requires the stored secrets.
    const upload = plan.steps.find((s) => s.uia)!;
    assert.ok(upload.requires.length > 0 && upload.requires.every((r) => plan.steps.some((s) => s.id === r)));
    assert.ok(remarks.some((r) => /also does .*sign-devices/.test(r)), remarks.join('\n'));
    result.value.dispose();
  });

  it('a chosen session list: only those are signed by the reset (and this session)', async () => {
    const view = await healthyView();
    view.accountData.delete('m.cross_signing.master');
    devicesOf(view).DEVICETHREE = await deviceKeys('DEVICETHREE', seed(23), KEYS_A.ssk);
    const result = await fix(view, { deviceIds: ['DEVICETHREE'] });
    assert.ok(result.ok);
    const sign = result.value.plan.steps.find((s) => s.id.endsWith('/sign-devices'))!;
    assert.deepEqual(Object.keys((sign.request.body as Record<string, Record<string, unknown>>)[USER]!).sort(), ['DEVICEONE', 'DEVICETHREE']);
    assert.ok(result.value.remarks.some((r) => r.includes('DEVICETWO')), 'the unsigned session is named');
    result.value.dispose();
  });

  it('a lost self-signing secret: a new self-signing key only, which signs every signable session', async () => {
    const view = await healthyView();
    view.accountData.delete('m.cross_signing.self_signing');
    const result = await fix(view);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    const { plan } = result.value;
    assert.deepEqual(partsOf(plan.steps.map((s) => s.id)), ['regenerate-subkeys']);
    assert.ok(plan.publicKeys.selfSigning !== undefined && plan.publicKeys.userSigning === undefined);
    const sign = plan.steps.find((s) => s.id.endsWith('/sign-devices'))!;
    assert.deepEqual(Object.keys((sign.request.body as Record<string, Record<string, unknown>>)[USER]!).sort(), ['DEVICEONE', 'DEVICETWO']);
    result.value.dispose();
  });

  it('no identity, its keys still in secret storage: publish them, then sign the sessions with the uploaded self-signing key', async () => {
    const view = await healthyView();
    for (const k of ['master_keys', 'self_signing_keys', 'user_signing_keys']) delete ks(view)[k];
    for (const id of Object.keys(DEVICES)) devicesOf(view)[id] = await deviceKeys(id, DEVICES[id]!);
    const result = await fix(view);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    const { plan } = result.value;
    assert.deepEqual(partsOf(plan.steps.map((s) => s.id)), ['upload-keys', 'sign-devices']);
    assert.equal(plan.steps.filter((s) => s.uia).length, 1);
    const sign = plan.steps.at(-1)!;
    const sigs = (sign.request.body as Record<string, Record<string, { signatures: Record<string, Record<string, string>> }>>)[USER]!;
    const sskId = `ed25519:${plan.publicKeys.selfSigning}`;
    for (const id of ['DEVICEONE', 'DEVICETWO']) assert.ok(sigs[id]?.signatures[USER]?.[sskId], `${id} signed by the uploaded key`);
    result.value.dispose();
  });

  it('only a cause no composed repair fixes: refused with the reason in words, nothing planned', async () => {
    const view = await healthyView();
    await storeSecrets(view, { 'm.cross_signing.master': encodeBase64(KEYS_A.master) }, [['OTHERKEY', seed(77)]]);
    view.accountData.set('m.cross_signing.master', { encrypted: { OTHERKEY: (view.accountData.get('m.cross_signing.master') as { encrypted: Record<string, unknown> }).encrypted.OTHERKEY } });
    const result = await fix(view);
    assert.ok(!result.ok);
    assert.ok(['no-repair', 'wrong-key'].includes(result.error.code), result.error.code);
    void SSSS_KEY; void KEY_ID; void crossSigningKey;
  });
});

/** fetchFromView plus the account-data writes and the backup creation a plan sends (enough for the recovery parts). */
function writable(view: ServerView): typeof fetch {
  const read = fetchFromView(view);
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const path = decodeURIComponent(new URL(input instanceof Request ? input.url : String(input)).pathname);
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) as Record<string, unknown> : {};
    const accountData = /\/account_data\/(.+)$/.exec(path);
    const ok200 = (answer: unknown) => new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
    if (init?.method === 'PUT' && accountData) { view.accountData.set(accountData[1]!, body); return ok200({}); }
    if (init?.method === 'POST' && path.endsWith('/room_keys/version')) { view.backup = { ...body, version: '2', count: 0, etag: '0' }; return ok200({ version: '2' }); }
    return read(input, init);
  }) as typeof fetch;
}

const encryptedUnder = (plan: RepairPlan, name: string): string[] => plan.steps.filter((s) => s.kind === 'put-secret' && s.request.segments.at(-1) === name)
  .flatMap((s) => Object.keys((s.request.body as { encrypted?: Record<string, unknown> }).encrypted ?? {}));

describe('the composed fix with the recovery repairs', () => {
  it('no default key and the backup key lost: the default key set first, the new backup key stored under it; one plan, no password, healthy after the run', async () => {
    const view = await healthyView();
    view.accountData.delete(DEFAULT_KEY_TYPE);
    view.accountData.delete('m.megolm_backup.v1');
    const client = createMatrixClient({ baseUrl: 'https://hs.example', accessToken: 'syt_test', fetch: writable(view) });
    const result = await prepareRepair(client, SESSION, { kind: 'fix' }, { recoveryKey: RECOVERY_KEY }, { ed });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    const { plan } = result.value;
    assert.deepEqual(partsOf(plan.steps.map((s) => s.id)), ['set-default-key', 'reset-backup']);
    assert.equal(plan.steps.filter((s) => s.uia).length, 0);
    assert.deepEqual(encryptedUnder(plan, 'm.megolm_backup.v1'), [KEY_ID]);
    await executePlan(plan, { client, ui: recordingPrompter({}) });
    result.value.dispose();
    const again = await inspectAccount(client, { userId: USER, deviceId: 'DEVICEONE', secret: { recoveryKey: RECOVERY_KEY }, ed });
    assert.ok(again.ok);
    assert.deepEqual(again.value.report.problems.map((p) => p.code), []);
  });

  it('no secret storage after an export-only reset: new secret storage from the export, then the sessions and the new backup with the keys stored under the NEW key; its recovery key shown once', async () => {
    const view = await healthyView();
    view.accountData.clear();
    devicesOf(view).DEVICETWO = await deviceKeys('DEVICETWO', DEVICES.DEVICETWO!, KEYS_B.ssk);
    const exportText = exportKeysFile({
      userId: USER, master: await pair('master', KEYS_A.master), selfSigning: await pair('selfSigning', KEYS_A.ssk), userSigning: await pair('userSigning', KEYS_A.usk),
    } as unknown as Parameters<typeof exportKeysFile>[0]);
    const client = createMatrixClient({ baseUrl: 'https://hs.example', accessToken: 'syt_test', fetch: fetchFromView(view) });
    // Without the export (or the old key) the new storage would hold nothing to sign with: no key is needed up front either way.
    const result = await prepareRepair(client, SESSION, { kind: 'fix', from: { exportText } }, {}, { ed });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    const { plan, recoveryKey, remarks } = result.value;
    assert.ok(recoveryKey !== undefined, 'the new recovery key is handed back to be shown once');
    assert.deepEqual(partsOf(plan.steps.map((s) => s.id)), ['create-secret-storage', 'sign-devices', 'reset-backup']);
    const newKeyId = plan.steps[0]!.request.segments.at(-1)!.slice('m.secret_storage.key.'.length);
    assert.deepEqual(encryptedUnder(plan, 'm.megolm_backup.v1'), [newKeyId], 'the new backup key goes under the new key');
    const signed = (plan.steps.find((s) => s.kind === 'upload-signatures')!.request.body as Record<string, Record<string, { signatures: Record<string, Record<string, string>> }>>)[USER]!;
    assert.ok(signed.DEVICETWO?.signatures[USER]?.[`ed25519:${await pubOf(KEYS_A.ssk)}`], 'signed with the self-signing key from the export');
    assert.ok(remarks.some((r) => r.includes(`new default secret-storage key ${newKeyId}`)), remarks.join('\n'));
    result.value.dispose();
  });

  it('no secret storage and no identity: new secret storage, a reset storing under the NEW key, a new backup signed by the NEW master; one password at most', async () => {
    const view = await healthyView();
    view.accountData.clear();
    for (const k of ['master_keys', 'self_signing_keys', 'user_signing_keys']) delete ks(view)[k];
    for (const id of Object.keys(DEVICES)) devicesOf(view)[id] = await deviceKeys(id, DEVICES[id]!);
    const result = await fix(view, { newPassphrase: 'a long enough new passphrase for the test' });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    const { plan } = result.value;
    const parts = partsOf(plan.steps.map((s) => s.id));
    assert.deepEqual(parts.slice(0, 2), ['create-secret-storage', 'reset-cross-signing']);
    assert.ok(plan.steps.filter((s) => s.uia).length <= 1);
    const newKeyId = plan.steps[0]!.request.segments.at(-1)!.slice('m.secret_storage.key.'.length);
    for (const name of ['m.cross_signing.master', 'm.cross_signing.self_signing', 'm.cross_signing.user_signing']) {
      assert.ok(encryptedUnder(plan, name).includes(newKeyId), `${name} under the new key`);
    }
    const backup = plan.steps.find((s) => s.kind === 'create-backup-version');
    if (backup !== undefined) {
      const sigs = ((backup.request.body as { auth_data: { signatures: Record<string, Record<string, string>> } }).auth_data.signatures[USER])!;
      assert.ok(sigs[`ed25519:${plan.publicKeys.master}`], 'the new backup is signed by the NEW master');
    }
    result.value.dispose();
  });

  it('new secret storage with nothing to put in it (no export, no old key): the parts needing a private key are left with the reason, the storage is still set up', async () => {
    const view = await healthyView();
    view.accountData.clear();
    devicesOf(view).DEVICETWO = await deviceKeys('DEVICETWO', DEVICES.DEVICETWO!, KEYS_B.ssk);
    const client = createMatrixClient({ baseUrl: 'https://hs.example', accessToken: 'syt_test', fetch: fetchFromView(view) });
    const result = await prepareRepair(client, SESSION, { kind: 'fix', newPassphrase: 'a long enough new passphrase for the test' }, {}, { ed });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    assert.deepEqual(partsOf(result.value.plan.steps.map((s) => s.id)), ['create-secret-storage']);
    assert.ok(result.value.remarks.some((r) => /Not fixed by this plan: .*cross-sign .*new secret storage will not hold .*give the export file or the old recovery key/.test(r)), result.value.remarks.join('\n'));
    result.value.dispose();
    // A weak new passphrase is refused before anything is read, as for create-secret-storage.
    const weak = await prepareRepair(client, SESSION, { kind: 'fix', newPassphrase: 'short' }, {}, { ed });
    assert.equal(weak.ok ? 'a plan' : weak.error.code, 'new-passphrase-weak');
  });

  it('without the recovery key, on an account whose fix needs it: missing-key, as a repair on its own says', async () => {
    const view = await healthyView();
    view.accountData.delete('m.megolm_backup.v1');
    const client = createMatrixClient({ baseUrl: 'https://hs.example', accessToken: 'syt_test', fetch: fetchFromView(view) });
    const result = await prepareRepair(client, SESSION, { kind: 'fix' }, {}, { ed });
    assert.equal(result.ok ? 'a plan' : result.error.code, 'missing-key');
  });

  it('a session whose keys cannot be trusted is never signed out by a fix: the cause is left, and the plan says why', async () => {
    const view = await healthyView();
    view.accountData.delete('m.megolm_backup.v1');
    const bad = await deviceKeys('DEVICEBAD', seed(25), KEYS_A.ssk);
    (bad.signatures as Record<string, Record<string, string>>)[USER]!['ed25519:DEVICEBAD'] = 'A'.repeat(86);
    devicesOf(view).DEVICEBAD = bad;
    const result = await fix(view);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    assert.ok(!result.value.plan.steps.some((s) => s.kind === 'delete-device'));
    assert.ok(result.value.remarks.some((r) => /Not fixed by this plan: .*(DEVICEBAD|session).*never part of a fix: choose the sessions and run sign-out-device/.test(r)), result.value.remarks.join('\n'));
    result.value.dispose();
  });
});

describe('composeFix (the table)', () => {
  /** A report holding exactly these problems (the rest of its shape is the healthy account's). */
  async function reportWith(problems: ReturnType<typeof problem>[]): Promise<Report> {
    const result = await prepareRepair(createMatrixClient({ baseUrl: 'https://hs.example', accessToken: 'syt_test', fetch: fetchFromView(await healthyView()) }),
      SESSION, { kind: 'sign-devices' }, { recoveryKey: RECOVERY_KEY }, { ed });
    const report = (result.ok ? result.value.report : result.error.report)!;
    return { ...report, healthy: problems.length === 0, problems: problems.map((p) => ({ ...p, cause: CAUSE_OF_CODE[p.code] })) };
  }

  it('every problem code is either fixed by a part of the fix or left with a reason', async () => {
    for (const code of Object.keys(PROBLEM_CODES) as ProblemCode[]) {
      const report = await reportWith([problem(code, 'x', { subject: 'm.cross_signing.self_signing' })]);
      const { parts, left } = composeFix(report, { kind: 'fix' }, true);
      const fixed = parts.some((p) => p.fixes.includes(CAUSE_OF_CODE[code]));
      const explained = left.some((l) => l.cause.id === CAUSE_OF_CODE[code] && l.reason.length > 10);
      assert.ok(fixed !== explained, `${code}: fixed ${fixed}, left ${explained}`);
      assert.equal(fixed, rankOf(PROBLEM_CODES[code].repair) !== undefined && PROBLEM_CODES[code].repair !== 'store-secrets', code);
    }
  });

  it('parts run in rank order; a reset absorbs what it does itself; only one key publisher', async () => {
    const report = await reportWith([
      problem('backup-not-signed-by-master', 'x'),
      problem('device-signed-by-old-key', 'x', { subject: 'DEVICETWO' }),
      problem('self-signing-key-missing', 'x', { subject: 'self_signing' }),
      problem('secret-missing', 'x', { subject: 'm.cross_signing.master', repair: 'reset-cross-signing' }),
      problem('secret-not-under-default-key', 'x', { subject: 'm.cross_signing.user_signing' }),
    ]);
    const { parts, left } = composeFix(report, { kind: 'fix' }, true);
    assert.deepEqual(parts.map((p) => p.request.kind), ['reset-cross-signing']);
    assert.deepEqual(parts[0]!.absorbed, ['store-secrets', 'regenerate-subkeys', 'sign-devices', 'resign-backup']);
    assert.deepEqual(left, []);
    const noReset = composeFix(await reportWith([
      problem('backup-not-signed-by-master', 'x'),
      problem('device-not-cross-signed', 'x', { subject: 'DEVICETWO' }),
      problem('user-signing-key-missing', 'x', { subject: 'user_signing' }),
    ]), { kind: 'fix' }, true);
    // A new user-signing key signs no session: sign-devices stays a part of its own.
    assert.deepEqual(noReset.parts.map((p) => p.request.kind), ['regenerate-subkeys', 'sign-devices', 'resign-backup']);
    assert.deepEqual(noReset.parts[0]!.request, { kind: 'regenerate-subkeys', selfSigning: false, userSigning: true });
  });

  it('without the recovery key only an exported reset can be part of it', async () => {
    // The repair named explicitly: a reset (the table may name setting up secret storage instead).
    const report = await reportWith([problem('no-secret-storage', 'x', { repair: 'reset-cross-signing' }), problem('device-not-cross-signed', 'x', { subject: 'DEVICETWO' })]);
    assert.deepEqual(composeFix(report, { kind: 'fix', exportKeys: true }, false).parts.map((p) => p.request.kind), ['reset-cross-signing']);
    const none = composeFix(report, { kind: 'fix' }, false);
    assert.deepEqual(none.parts, []);
    assert.ok(none.left.every((l) => /recovery key/.test(l.reason)));
  });
});

describe('composePlans', () => {
  const part = (kind: RepairPlan['kind'], safeguard: RepairPlan['safeguard'], publicKeys: RepairPlan['publicKeys']): RepairPlan => finishPlan({
    kind, title: kind, userId: USER, safeguard, publicKeys, notes: [`${kind} note`, 'shared note'],
    steps: [putSecretStep('a', 'A', USER, 'm.cross_signing.master', { encrypted: {} }), { ...putSecretStep('b', 'B', USER, 'm.cross_signing.self_signing', { encrypted: {} }), requires: ['a'] }],
  });

  it('one plan: steps in order, IDs and requires prefixed per part, the first part\'s keys, notes once, its own ID', () => {
    const plan = composePlans('fix', 'Fix', [part('reset-cross-signing', 'secret-storage', { master: 'NEW' }), part('resign-backup', 'not-applicable', { master: 'OLD' })]);
    assert.equal(plan.kind, 'fix');
    assert.deepEqual(plan.steps.map((s) => [s.id, s.requires]), [
      ['1-reset-cross-signing/a', []], ['1-reset-cross-signing/b', ['1-reset-cross-signing/a']],
      ['2-resign-backup/a', []], ['2-resign-backup/b', ['2-resign-backup/a']],
    ]);
    assert.equal(plan.safeguard, 'secret-storage');
    assert.deepEqual(plan.publicKeys, { master: 'NEW' });
    assert.deepEqual(plan.notes, ['reset-cross-signing note', 'shared note', 'resign-backup note']);
    assert.match(plan.id, /^fix-[0-9a-f]{24}$/);
  });

  it('refuses no part, and parts relying on different safeguards', () => {
    assert.throws(() => composePlans('fix', 'Fix', []), RangeError);
    assert.throws(() => composePlans('fix', 'Fix', [part('reset-cross-signing', 'export-confirmed', {}), part('upload-keys', 'secret-storage', {})]), RangeError);
  });
});
