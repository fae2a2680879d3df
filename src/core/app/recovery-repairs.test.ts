// The recovery repairs (create-secret-storage, set-default-key, reset-backup, sign-out-device),
// prepared by prepareRepair on real account states (keys signed with real seeds, secrets really
// encrypted) and run by the real executor against an in-memory homeserver that applies the writes,
// then inspected again. Bad paths: a wrong recovery key, a weak passphrase, this session without
// the second confirmation, a server 4xx in the middle of a plan.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBase64, encodeBase64 } from '../base64.ts';
import { curve25519PublicKey } from '../curve25519.ts';
import { createMatrixClient } from '../matrix/client.ts';
import { MatrixApiError } from '../matrix/errors.ts';
import { decodeRecoveryKey, encodeRecoveryKey } from '../recovery-key.ts';
import { ROLE, ROLES } from '../roles.ts';
import { decryptSecret, deriveKeyFromPassphrase, verifyKeyCheck, type EncryptedSecret } from '../secret-storage.ts';
import { verifyJsonSignature } from '../signing.ts';
import { DEFAULT_KEY_TYPE, KEY_DESCRIPTION_PREFIX } from '../inspect/account-state.ts';
import { inspectAccount } from '../inspect/inspect-account.ts';
import {
  BACKUP_PRIVATE, crossSigningKey, ed, healthyView, KEY_ID, KEYS_A, OTHER_SSSS_KEY, RECOVERY_KEY, seed, storeSecrets, SSSS_KEY, USER, type ServerView,
} from '../inspect/fixture.test.ts';
import type { SecretStorageKeyInput } from '../inspect/secret-storage-key.ts';
import { executePlan } from '../repair/execute.ts';
import { exportKeysFile } from '../repair/export.ts';
import { PREVIOUS_BACKUP_SECRET_PREFIX } from '../repair/plan-recovery.ts';
import { recordingPrompter } from '../repair/prompter.test.ts';
import type { RepairPlan, RepairProgress } from '../repair/plans.ts';
import { stepApplied } from '../repair/step-applied.ts';
import { prepareRepair } from './prepare-repair.ts';
import type { RepairRequest } from './repair-request.ts';
import { fetchFromView } from './view-fetch.test.ts';

const SESSION = { userId: USER, deviceId: 'DEVICEONE' };
const KEY: SecretStorageKeyInput = { recoveryKey: RECOVERY_KEY };
const PASSWORD = 'correct horse';
const json = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** fetchFromView plus the writes these repairs send, applied to the view; `fail` answers a request with an error instead. */
function writableServer(view: ServerView, fail?: (method: string, path: string) => Response | undefined): { fetch: typeof fetch; sent: string[] } {
  const read = fetchFromView(view);
  const sent: string[] = [];
  let versions = Number((view.backup as { version?: string } | null)?.version ?? 0);
  const impl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? 'GET';
    const path = decodeURIComponent(url.pathname);
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) as Record<string, unknown> : {};
    if (method !== 'GET' && !path.endsWith('/keys/query')) sent.push(`${method} ${path.replace(`/user/${USER}/account_data/`, '/account_data/')}`);
    const failed = fail?.(method, path);
    if (failed !== undefined) return failed;
    const accountData = /^\/_matrix\/client\/v3\/user\/[^/]+\/account_data\/(.+)$/.exec(path);
    if (method === 'PUT' && accountData) { view.accountData.set(accountData[1]!, body); return json(200, {}); }
    if (method === 'POST' && path === '/_matrix/client/v3/room_keys/version') {
      versions += 1;
      view.backup = { ...body, version: String(versions), count: 0, etag: '0' };
      return json(200, { version: String(versions) });
    }
    const device = /^\/_matrix\/client\/v3\/devices\/(.+)$/.exec(path);
    const devices = view.keysQuery.device_keys![USER] as Record<string, unknown>;
    if (device && method === 'DELETE') {
      const auth = body.auth as { password?: string } | undefined;
      if (auth?.password !== PASSWORD) return json(401, { flows: [{ stages: ['m.login.password'] }], params: {}, session: 'uia-session' });
      delete devices[device[1]!];
      return json(200, {});
    }
    if (device && method === 'GET') return Object.hasOwn(devices, device[1]!) ? json(200, { device_id: device[1] }) : json(404, { errcode: 'M_NOT_FOUND', error: 'Not found' });
    return read(input, init);
  }) as typeof fetch;
  return { fetch: impl, sent };
}

const clientOf = (f: typeof fetch) => createMatrixClient({ baseUrl: 'https://hs.example', accessToken: 'syt_test', fetch: f });

async function prepared(view: ServerView, request: RepairRequest, key: SecretStorageKeyInput = KEY, f: typeof fetch = fetchFromView(view)) {
  return prepareRepair(clientOf(f), SESSION, request, key, { ed });
}

async function run(f: typeof fetch, plan: RepairPlan, passwords: string[] = []): Promise<{ progress: RepairProgress[]; error?: unknown }> {
  const progress: RepairProgress[] = [];
  try {
    await executePlan(plan, { client: clientOf(f), ui: recordingPrompter({ passwords }), onProgress: (p) => { progress.push(p); }, uia: { pollIntervalMs: 10 } });
    return { progress };
  } catch (error) {
    return { progress, error };
  }
}

async function problemsAfter(view: ServerView, key: SecretStorageKeyInput): Promise<string[]> {
  const again = await inspectAccount(clientOf(fetchFromView(view)), { userId: USER, deviceId: 'DEVICEONE', secret: key, ed });
  assert.ok(again.ok);
  return again.value.report.problems.map((p) => `${p.code}${p.subject === undefined ? '' : `:${p.subject}`}`);
}

const entryUnder = (content: unknown, keyId: string): EncryptedSecret => (content as { encrypted: Record<string, EncryptedSecret> }).encrypted[keyId]!;

/** The account after a reset whose keys went only to an export file: no secret storage at all. */
async function exportOnlyAccount(): Promise<{ view: ServerView; exportText: string }> {
  const view = await healthyView();
  view.accountData.clear();
  const pair = async (role: (typeof ROLES)[number], s: Uint8Array) => ({ seed: s, publicKey: Object.values((await crossSigningKey(ROLE[role].usage, s)).keys as Record<string, string>)[0]!, key: {} });
  const exportText = exportKeysFile({
    userId: USER, master: await pair('master', KEYS_A.master), selfSigning: await pair('selfSigning', KEYS_A.ssk), userSigning: await pair('userSigning', KEYS_A.usk),
  } as unknown as Parameters<typeof exportKeysFile>[0]);
  return { view, exportText };
}

describe('create-secret-storage', () => {
  it('describes a new key with its key check, stores the export\'s keys under it, sets the default last; the account reads healthy with the recovery key shown', async () => {
    const { view, exportText } = await exportOnlyAccount();
    view.backup = null; // the backup's key went with the old storage: reset-backup is its own repair
    const result = await prepared(view, { kind: 'create-secret-storage', from: { exportText } }, {});
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    const { plan, recoveryKey } = result.value;
    assert.ok(recoveryKey !== undefined);
    const key = decodeRecoveryKey(recoveryKey);
    const [describe, ...rest] = plan.steps;
    const description = describe!.request.body as { iv: string; mac: string; algorithm: string };
    assert.equal(description.algorithm, 'm.secret_storage.v1.aes-hmac-sha2');
    assert.equal(await verifyKeyCheck(key, description), 'match');
    assert.equal(await verifyKeyCheck(OTHER_SSSS_KEY, description), 'mismatch');
    const last = rest.at(-1)!;
    assert.equal(last.request.segments.at(-1), DEFAULT_KEY_TYPE);
    assert.deepEqual(new Set(last.requires), new Set(plan.steps.slice(0, -1).map((s) => s.id)), 'the default is set only after everything it points at');
    const keyId = (last.request.body as { key: string }).key;
    for (const role of ROLES) {
      const step = plan.steps.find((s) => s.request.segments.at(-1) === ROLE[role].secretName)!;
      const plain = await decryptSecret(key, ROLE[role].secretName, entryUnder(step.request.body, keyId));
      assert.deepEqual(decodeBase64(plain), { master: KEYS_A.master, selfSigning: KEYS_A.ssk, userSigning: KEYS_A.usk }[role]);
    }
    // No private byte in the plan: not the key, not a seed.
    const text = JSON.stringify(plan);
    for (const secret of [key, KEYS_A.master, KEYS_A.ssk, KEYS_A.usk]) assert.ok(!text.includes(encodeBase64(secret)));
    result.value.dispose();

    const server = writableServer(view);
    const ran = await run(server.fetch, plan);
    assert.equal(ran.error, undefined);
    assert.deepEqual(await problemsAfter(view, { recoveryKey }), []);
  });

  it('derives the key from a new passphrase (PBKDF2 info in the description); the recovery key shown is that key', async () => {
    const { view, exportText } = await exportOnlyAccount();
    const result = await prepared(view, { kind: 'create-secret-storage', newPassphrase: 'a long and unusual passphrase 42', from: { exportText } }, {});
    assert.ok(result.ok);
    const description = result.value.plan.steps[0]!.request.body as { passphrase: { algorithm: string; salt: string; iterations: number } };
    assert.equal(description.passphrase.algorithm, 'm.pbkdf2');
    assert.ok(description.passphrase.iterations >= 500_000);
    const derived = await deriveKeyFromPassphrase('a long and unusual passphrase 42', description.passphrase.salt, description.passphrase.iterations);
    assert.equal(encodeRecoveryKey(derived), result.value.recoveryKey);
    assert.ok(result.value.remarks.some((r) => r.includes('reset-backup')), 'the backup key it does not hold is named');
  });

  it('stores the private keys the person gives one by one (base64 seeds); one that is no key, or not the published one, is said', async () => {
    const { view } = await exportOnlyAccount();
    view.backup = null;
    const result = await prepared(view, { kind: 'create-secret-storage', seeds: { master: encodeBase64(KEYS_A.master), selfSigning: encodeBase64(seed(55)) } }, {});
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    const names = result.value.plan.steps.map((s) => s.request.segments.at(-1));
    assert.ok(names.includes('m.cross_signing.master') && !names.includes('m.cross_signing.self_signing'), names.join());
    assert.ok(result.value.remarks.some((r) => /self-signing private key given is not stored/.test(r)), result.value.remarks.join('\n'));
    const bad = await prepared(view, { kind: 'create-secret-storage', seeds: { master: 'not a key' } }, {});
    assert.equal(bad.ok ? 'a plan' : bad.error.code, 'bad-input');
  });

  it('refuses a weak new passphrase before reading anything', async () => {
    const { view } = await exportOnlyAccount();
    const result = await prepared(view, { kind: 'create-secret-storage', newPassphrase: 'short' }, {}, (() => { throw new Error('no request expected'); }) as unknown as typeof fetch);
    assert.equal(result.ok ? 'a plan' : result.error.code, 'new-passphrase-weak');
  });

  it('carries the secrets of the old storage over when its recovery key is given (the old key stays described)', async () => {
    const view = await healthyView();
    const result = await prepared(view, { kind: 'create-secret-storage' });
    assert.ok(result.ok);
    const names = result.value.plan.steps.map((s) => s.request.segments.at(-1));
    for (const name of ['m.cross_signing.master', 'm.cross_signing.self_signing', 'm.cross_signing.user_signing', 'm.megolm_backup.v1']) assert.ok(names.includes(name), name);
    assert.ok(result.value.plan.notes.some((n) => n.includes(KEY_ID)));
    // Other encryptions stay: the old key still opens every secret.
    const master = result.value.plan.steps.find((s) => s.request.segments.at(-1) === 'm.cross_signing.master')!;
    assert.ok(Object.hasOwn((master.request.body as { encrypted: object }).encrypted, KEY_ID));
  });
});

describe('create-secret-storage when the old default key cannot be checked', () => {
  for (const [what, breakIt] of [
    ['its description is missing', (view: ServerView) => { view.accountData.delete(`${KEY_DESCRIPTION_PREFIX}${KEY_ID}`); }],
    ['its algorithm is unknown', (view: ServerView) => { view.accountData.set(`${KEY_DESCRIPTION_PREFIX}${KEY_ID}`, { algorithm: 'org.example.unknown' }); }],
  ] as const) {
    it(`${what}: the old recovery key still reads the secrets, each checked against what is published; healthy afterwards`, async () => {
      const view = await healthyView();
      breakIt(view);
      const result = await prepared(view, { kind: 'create-secret-storage' });
      assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
      const names = result.value.plan.steps.map((s) => s.request.segments.at(-1));
      for (const name of ['m.cross_signing.master', 'm.cross_signing.self_signing', 'm.cross_signing.user_signing', 'm.megolm_backup.v1']) assert.ok(names.includes(name), name);
      assert.equal((await run(writableServer(view).fetch, result.value.plan)).error, undefined);
      assert.deepEqual(await problemsAfter(view, { recoveryKey: result.value.recoveryKey! }), []);
    });
  }

  it('a wrong old recovery key reads nothing: the preview says which keys are not stored', async () => {
    const view = await healthyView();
    view.accountData.delete(`${KEY_DESCRIPTION_PREFIX}${KEY_ID}`);
    const result = await prepared(view, { kind: 'create-secret-storage' }, { recoveryKey: encodeRecoveryKey(OTHER_SSSS_KEY) });
    assert.ok(result.ok);
    assert.deepEqual(result.value.plan.steps.map((s) => s.id), ['describe-key', 'set-default']);
    assert.equal(result.value.remarks.filter((r) => /private key is not stored \(the old recovery key given does not open it/.test(r)).length, 3, result.value.remarks.join('\n'));
    assert.ok(result.value.remarks.some((r) => /backup's key is not stored/.test(r)));
  });
});

describe('set-default-key', () => {
  it('points default_key at the key the recovery key opens', async () => {
    const view = await healthyView();
    view.accountData.delete(DEFAULT_KEY_TYPE);
    const result = await prepared(view, { kind: 'set-default-key' });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    assert.equal(result.value.plan.steps.length, 1);
    assert.deepEqual(result.value.plan.steps[0]!.request.body, { key: KEY_ID });
    const server = writableServer(view);
    assert.equal((await run(server.fetch, result.value.plan)).error, undefined);
    assert.deepEqual(await problemsAfter(view, KEY), []);
  });

  it('refuses a wrong recovery key, sending nothing', async () => {
    const view = await healthyView();
    view.accountData.delete(DEFAULT_KEY_TYPE);
    const result = await prepared(view, { kind: 'set-default-key' }, { recoveryKey: encodeRecoveryKey(OTHER_SSSS_KEY) });
    assert.equal(result.ok ? 'a plan' : result.error.code, 'wrong-key');
    assert.match(!result.ok ? result.error.detail ?? '' : '', /matches none of the secret-storage keys/);
  });

  it('refuses a key without a key check: nothing proves a recovery key against it', async () => {
    const view = await healthyView();
    view.accountData.delete(DEFAULT_KEY_TYPE);
    view.accountData.set(`${KEY_DESCRIPTION_PREFIX}${KEY_ID}`, { algorithm: 'm.secret_storage.v1.aes-hmac-sha2' });
    const result = await prepared(view, { kind: 'set-default-key' });
    assert.equal(result.ok ? 'a plan' : result.error.code, 'wrong-key');
  });

  it('says there is nothing to do for the key that is already the default', async () => {
    const result = await prepared(await healthyView(), { kind: 'set-default-key' });
    assert.equal(result.ok ? 'a plan' : result.error.code, 'nothing-to-do');
  });
});

describe('reset-backup', () => {
  it('keeps the old key aside, stores the new one, then creates a master-signed version; reads healthy afterwards', async () => {
    const view = await healthyView();
    const old = (view.backup as { version: string }).version;
    const result = await prepared(view, { kind: 'reset-backup' });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    const { plan } = result.value;
    assert.deepEqual(plan.steps.map((s) => s.kind), ['put-secret', 'put-secret', 'create-backup-version']);
    assert.equal(plan.steps[0]!.request.segments.at(-1), `${PREVIOUS_BACKUP_SECRET_PREFIX}${old}`);
    assert.equal(await decryptSecret(SSSS_KEY, `${PREVIOUS_BACKUP_SECRET_PREFIX}${old}`, entryUnder(plan.steps[0]!.request.body, KEY_ID)), encodeBase64(BACKUP_PRIVATE));
    const newKey = decodeBase64(await decryptSecret(SSSS_KEY, 'm.megolm_backup.v1', entryUnder(plan.steps[1]!.request.body, KEY_ID)));
    const create = plan.steps[2]!;
    assert.deepEqual(create.requires, ['keep-previous', 'store-backup-key']);
    const authData = (create.request.body as { auth_data: { public_key: string } }).auth_data;
    assert.equal(authData.public_key, encodeBase64(curve25519PublicKey(newKey)));
    const masterPub = Object.values((await crossSigningKey('master', KEYS_A.master)).keys as Record<string, string>)[0]!;
    assert.equal(await verifyJsonSignature(authData, USER, `ed25519:${masterPub}`, decodeBase64(masterPub), ed), 'valid');

    const server = writableServer(view);
    assert.equal((await run(server.fetch, plan)).error, undefined);
    assert.equal((view.backup as { version: string }).version, String(Number(old) + 1));
    assert.deepEqual(await problemsAfter(view, KEY), []);
  });

  it('fixes backup-key-missing: nothing to keep aside, the new key stored before the version', async () => {
    const view = await healthyView();
    view.accountData.delete('m.megolm_backup.v1');
    const result = await prepared(view, { kind: 'reset-backup' });
    assert.ok(result.ok);
    assert.deepEqual(result.value.plan.steps.map((s) => s.id), ['store-backup-key', 'create-backup']);
    assert.equal((await run(writableServer(view).fetch, result.value.plan)).error, undefined);
    assert.deepEqual(await problemsAfter(view, KEY), []);
  });

  it('a 4xx on the version leaves the new key stored, the old one kept, no version made: a state we can describe and run again', async () => {
    const view = await healthyView();
    const old = (view.backup as { version: string }).version;
    const result = await prepared(view, { kind: 'reset-backup' });
    assert.ok(result.ok);
    const server = writableServer(view, (method, path) => (method === 'POST' && path.endsWith('/room_keys/version')
      ? json(400, { errcode: 'M_INVALID_PARAM', error: 'bad auth_data' }) : undefined));
    const ran = await run(server.fetch, result.value.plan);
    assert.ok(ran.error instanceof MatrixApiError && ran.error.status === 400);
    assert.deepEqual(ran.progress.at(-1)?.completedStepIds, ['keep-previous', 'store-backup-key']);
    assert.equal((view.backup as { version: string }).version, old, 'no new version');
    assert.ok(view.accountData.has(`${PREVIOUS_BACKUP_SECRET_PREFIX}${old}`));
    // The executor resumes from that progress: asks first, then creates the version once.
    const again = writableServer(view);
    const client = clientOf(again.fetch);
    assert.equal(await stepApplied(client, result.value.plan, result.value.plan.steps[2]!), false);
    await executePlan(result.value.plan, { client, ui: recordingPrompter(), progress: ran.progress.at(-1)!, resumed: true });
    assert.deepEqual(again.sent, ['POST /_matrix/client/v3/room_keys/version']);
    assert.equal(await stepApplied(client, result.value.plan, result.value.plan.steps[2]!), true);
  });

  it('after a run that stopped before its version, a second reset keeps the leftover key under a name of its own, never over the version\'s copy', async () => {
    const view = await healthyView();
    const old = (view.backup as { version: string }).version;
    const first = await prepared(view, { kind: 'reset-backup' });
    assert.ok(first.ok);
    const failing = writableServer(view, (method, path) => (method === 'POST' && path.endsWith('/room_keys/version') ? json(403, { errcode: 'M_FORBIDDEN', error: 'not now' }) : undefined));
    const failed = await run(failing.fetch, first.value.plan);
    assert.ok(failed.error instanceof MatrixApiError, String(failed.error));
    const kept = view.accountData.get(`${PREVIOUS_BACKUP_SECRET_PREFIX}${old}`);
    const second = await prepared(view, { kind: 'reset-backup' });
    assert.ok(second.ok, JSON.stringify(!second.ok && second.error));
    const names = second.value.plan.steps.map((s) => s.request.segments.at(-1)!);
    assert.ok(!names.includes(`${PREVIOUS_BACKUP_SECRET_PREFIX}${old}`), names.join());
    assert.ok(names[0]!.startsWith(`${PREVIOUS_BACKUP_SECRET_PREFIX}no-version-`), names.join());
    assert.equal((await run(writableServer(view).fetch, second.value.plan)).error, undefined);
    assert.deepEqual(view.accountData.get(`${PREVIOUS_BACKUP_SECRET_PREFIX}${old}`), kept, 'the version\'s key is still kept');
    assert.equal(await decryptSecret(SSSS_KEY, `${PREVIOUS_BACKUP_SECRET_PREFIX}${old}`, entryUnder(kept, KEY_ID)), encodeBase64(BACKUP_PRIVATE));
    assert.deepEqual(await problemsAfter(view, KEY), []);
  });

  it('refuses to overwrite a backup key stored under a key the recovery key does not open', async () => {
    const view = await healthyView();
    await storeSecrets(view, { 'm.megolm_backup.v1': encodeBase64(seed(66)) }, [['OTHERKEYID', OTHER_SSSS_KEY]]);
    const result = await prepared(view, { kind: 'reset-backup' });
    assert.equal(result.ok ? 'a plan' : result.error.code, 'would-overwrite');
  });

  it('needs the recovery key', async () => {
    const result = await prepared(await healthyView(), { kind: 'reset-backup' }, {});
    assert.equal(result.ok ? 'a plan' : result.error.code, 'missing-key');
  });
});

describe('sign-out-device', () => {
  it('signs a session out with the password the server asks for; gone afterwards', async () => {
    const view = await healthyView();
    const result = await prepared(view, { kind: 'sign-out-device', deviceIds: ['DEVICETWO'] }, {});
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    const step = result.value.plan.steps[0]!;
    assert.equal(step.request.method, 'DELETE');
    assert.equal(step.request.path, '/_matrix/client/v3/devices/DEVICETWO');
    assert.equal(step.uia, true);
    assert.equal(result.value.signsOutThisSession, undefined);
    const server = writableServer(view);
    const ui = recordingPrompter({ passwords: ['wrong', PASSWORD] });
    await executePlan(result.value.plan, { client: clientOf(server.fetch), ui, uia: { pollIntervalMs: 10 } });
    assert.equal(ui.passwordAttempts.length, 2);
    assert.ok(!Object.hasOwn(view.keysQuery.device_keys![USER]!, 'DEVICETWO'));
    assert.equal(await stepApplied(clientOf(server.fetch), result.value.plan, step), true);
  });

  it('never signs out this session without the second confirmation; with it, this session goes last', async () => {
    const view = await healthyView();
    const refused = await prepared(view, { kind: 'sign-out-device', deviceIds: ['DEVICEONE', 'DEVICETWO'] }, {});
    assert.equal(refused.ok ? 'a plan' : refused.error.code, 'this-session');
    const result = await prepared(view, { kind: 'sign-out-device', deviceIds: ['DEVICEONE', 'DEVICETWO'], includingThisSession: true }, {});
    assert.ok(result.ok);
    assert.deepEqual(result.value.plan.steps.map((s) => s.request.segments.at(-1)), ['DEVICETWO', 'DEVICEONE']);
    assert.equal(result.value.signsOutThisSession, true);
  });

  it('by default this session is left out even when its own keys are bad, and said so', async () => {
    const view = await healthyView();
    const devices = view.keysQuery.device_keys![USER] as Record<string, { signatures: Record<string, Record<string, string>> }>;
    devices.DEVICEONE!.signatures[USER]!['ed25519:DEVICEONE'] = encodeBase64(new Uint8Array(64).fill(5));
    const result = await prepared(view, { kind: 'sign-out-device' }, {});
    assert.equal(result.ok ? 'a plan' : result.error.code, 'nothing-to-do');
    const confirmed = await prepared(view, { kind: 'sign-out-device', includingThisSession: true }, {});
    assert.ok(confirmed.ok);
    assert.deepEqual(confirmed.value.plan.steps.map((s) => s.request.segments.at(-1)), ['DEVICEONE']);
  });

  it('by default, the sessions whose keys cannot be trusted; an unknown ID is refused', async () => {
    const view = await healthyView();
    const nothing = await prepared(view, { kind: 'sign-out-device' }, {});
    assert.equal(nothing.ok ? 'a plan' : nothing.error.code, 'nothing-to-do');
    const unknown = await prepared(view, { kind: 'sign-out-device', deviceIds: ['NOSUCHDEVICE'] }, {});
    assert.equal(unknown.ok ? 'a plan' : unknown.error.code, 'bad-input');
  });
});
