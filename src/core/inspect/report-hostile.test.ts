// Hostile server data: every case must become report rows and problems, never a throw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBase64 } from '../base64.ts';
import { webCryptoEd25519 } from '../ed25519.ts';
import { DEFAULT_KEY_TYPE, MAX_KEY_DESCRIPTIONS } from './account-state.ts';
import { crossSigningKey, ed, healthyView, KEY_ID, KEYS_A, SSSS_KEY, stateOf, storeSecrets, USER, type ServerView } from './fixture.test.ts';
import type { Problem } from './problems.ts';
import { buildReport } from './report.ts';

const pub = async (s: Uint8Array): Promise<string> => encodeBase64(await ed.publicKey(s));
const codes = (problems: Problem[]): string[] => problems.map((p) => (p.subject ? `${p.code}:${p.subject}` : p.code)).sort();
const report = (view: ServerView, key?: Uint8Array) =>
  buildReport(stateOf(view), { userId: USER, deviceId: 'DEVICEONE', ed, ...(key ? { secretStorageKey: key } : {}) });
const devicesOf = (view: ServerView) => view.keysQuery.device_keys![USER] as Record<string, Record<string, unknown>>;

describe('buildReport: hostile keys/query', () => {
  it('a master key naming another user', async () => {
    const view = await healthyView();
    view.keysQuery.master_keys![USER] = { ...(view.keysQuery.master_keys![USER] as object), user_id: '@mallory:evil.example' };
    const r = await report(view);
    assert.deepEqual(codes(r.problems), ['key-for-other-user:master']);
    assert.equal(r.problems[0]!.repair, 'reset-cross-signing');
    assert.equal(r.identity.master.status, 'malformed');
    assert.equal(r.identity.master.userId, '@mallory:evil.example');
    assert.equal(r.identity.selfSigning.signatureByMaster, 'n/a');
  });

  it('a key whose ID differs from its value, or that has two keys', async () => {
    const m = await pub(KEYS_A.master);
    const view = await healthyView();
    view.keysQuery.master_keys![USER] = { user_id: USER, usage: ['master'], keys: { 'ed25519:AAAA': m } };
    const r = await report(view);
    assert.deepEqual(codes(r.problems), ['master-key-malformed:master']);
    assert.match(r.problems[0]!.message, /does not match its value/);
    const view2 = await healthyView();
    view2.keysQuery.self_signing_keys![USER] = { user_id: USER, usage: ['master'], keys: { [`ed25519:${m}`]: m, 'curve25519:x': 'y' } };
    const r2 = await report(view2);
    assert.deepEqual(codes(r2.problems), ['self-signing-key-malformed:self_signing']);
    assert.deepEqual(r2.identity.selfSigning.shapeProblems.length, 2);
  });

  it('signatures that are not strings: partial data, never a false "no cross-signing"', async () => {
    const view = await healthyView();
    view.keysQuery.master_keys![USER] = { ...(view.keysQuery.master_keys![USER] as object), signatures: { [USER]: { 'ed25519:X': 5 } } };
    devicesOf(view).DEVICETWO!.signatures = { [USER]: { 'ed25519:DEVICETWO': ['nope'] } };
    const r = await report(view);
    assert.ok(!r.problems.some((p) => p.code === 'no-cross-signing'));
    assert.deepEqual(codes(r.problems), ['server-data-malformed:DEVICETWO', 'server-data-malformed:master_keys']);
    assert.equal(r.identity.master.status, 'malformed');
    assert.deepEqual(r.devices.map((d) => d.deviceId), ['DEVICEONE']);
    assert.deepEqual(r.skipped.map((s) => s.section).sort(), ['device_keys', 'master_keys']);
  });

  it('HTML and huge display names are kept as (cut) text', async () => {
    const view = await healthyView();
    const html = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
    (devicesOf(view).DEVICEONE!.unsigned as Record<string, unknown>).device_display_name = html;
    (devicesOf(view).DEVICETWO!.unsigned as Record<string, unknown>).device_display_name = 'x'.repeat(100_000);
    const r = await report(view);
    assert.equal(r.devices[0]!.displayName, html);
    assert.equal(r.devices[1]!.displayName, `${'x'.repeat(200)}…`);
    assert.equal(r.healthy, true);
  });

  it('device IDs that collide with a key, are empty, or are "__proto__"', async () => {
    const view = await healthyView();
    const ssk = await pub(KEYS_A.ssk);
    const raw = JSON.stringify(view.keysQuery).replace(`"${USER}":{"DEVICEONE"`, `"${USER}":{"__proto__":{"x":1},"":{"user_id":"${USER}","device_id":"","algorithms":[],"keys":{},"signatures":{}},"${ssk}":{"user_id":"${USER}","device_id":"${ssk}","algorithms":[],"keys":{},"signatures":{}},"DEVICEONE"`);
    view.keysQuery = JSON.parse(raw) as ServerView['keysQuery'];
    const r = await report(view);
    assert.equal(({} as Record<string, unknown>)['x'], undefined);
    assert.deepEqual(r.devices.map((d) => d.deviceId), ['', 'DEVICEONE', 'DEVICETWO', ssk].sort());
    const collider = r.devices.find((d) => d.deviceId === ssk)!;
    assert.equal(collider.collidesWithKey, true);
    assert.equal(collider.signable, false, 'a device whose ID is a cross-signing key is never offered for signing');
    assert.ok(r.problems.some((p) => p.code === 'device-id-collides-with-key' && p.subject === ssk));
    assert.ok(r.problems.some((p) => p.code === 'server-data-malformed' && p.subject === '__proto__'));
    assert.equal(r.devices.find((d) => d.deviceId === '')!.selfSignature, 'no-key');
  });

  it('a device naming another user or another device ID', async () => {
    const view = await healthyView();
    devicesOf(view).DEVICETWO!.user_id = '@mallory:evil.example';
    devicesOf(view).DEVICEONE!.device_id = 'SOMETHINGELSE';
    const r = await report(view);
    assert.ok(r.problems.some((p) => p.code === 'key-for-other-user' && p.subject === 'DEVICETWO' && p.repair === undefined));
    assert.ok(r.problems.some((p) => p.code === 'device-keys-malformed' && p.subject === 'DEVICEONE'));
  });

  it('keys for other users only: ours is "no cross-signing", theirs are ignored', async () => {
    const view = await healthyView();
    for (const k of ['master_keys', 'self_signing_keys', 'user_signing_keys']) {
      view.keysQuery[k] = { '@mallory:evil.example': { user_id: '@mallory:evil.example', usage: ['master'], keys: {} } };
    }
    const r = await report(view);
    assert.ok(r.problems.some((p) => p.code === 'no-cross-signing'));
    assert.equal(r.identity.master.status, 'missing');
  });

  it('a 10 MB device list is checked in full, fast enough, on WebCrypto', async () => {
    const view = await healthyView();
    const base = devicesOf(view).DEVICEONE!;
    const devices: Record<string, unknown> = {};
    for (let i = 0; i < 6000; i++) {
      const id = `BULK${i}`;
      devices[id] = {
        ...base, device_id: id, keys: { [`ed25519:${id}`]: (base.keys as Record<string, string>)['ed25519:DEVICEONE'] },
        signatures: { [USER]: { [`ed25519:${id}`]: 'A'.repeat(86) } }, unsigned: { device_display_name: 'x'.repeat(1500) },
      };
    }
    view.keysQuery.device_keys = { [USER]: devices };
    assert.ok(JSON.stringify(view.keysQuery).length > 10_000_000);
    const started = performance.now();
    const r = await buildReport(stateOf(view), { userId: USER, ed: webCryptoEd25519() });
    assert.equal(r.devices.length, 6000);
    assert.ok(r.devices.every((d) => d.selfSignature === 'invalid'));
    assert.equal(r.problems.length, 6000);
    assert.ok(performance.now() - started < 30_000, 'too slow');
  });
});

describe('buildReport: hostile account data', () => {
  it('a secret encrypted under thousands of keys: bounded fetch and listing', async () => {
    const view = await healthyView();
    const encrypted: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) encrypted[`k${i}`] = { iv: 'AAAA', ciphertext: 'AAAA', mac: 'AAAA' };
    view.accountData.set('m.cross_signing.user_signing', { encrypted });
    const state = stateOf(view);
    assert.equal(state.keyDescriptions.length, MAX_KEY_DESCRIPTIONS);
    const r = await buildReport(state, { userId: USER, ed, secretStorageKey: SSSS_KEY });
    assert.equal(r.secretStorage.secrets[2]!.keyIds.length, 32);
    assert.ok(r.problems.some((p) => p.code === 'server-data-malformed' && p.subject === 'm.secret_storage.key'));
    assert.ok(r.problems.some((p) => p.code === 'secret-not-under-default-key' && p.subject === 'm.cross_signing.user_signing'));
  });

  it('malformed default key, description, secret and backup become server-data-malformed', async () => {
    const view = await healthyView();
    view.accountData.set(DEFAULT_KEY_TYPE, { key: 42 });
    view.accountData.set('m.cross_signing.master', { encrypted: 'nope' });
    view.backup = { ...view.backup, auth_data: { public_key: 'x', signatures: { [USER]: { k: 1 } } } };
    const r = await report(view, SSSS_KEY);
    assert.deepEqual(codes(r.problems).filter((c) => c.startsWith('server-data-malformed')), [
      'server-data-malformed:m.cross_signing.master', 'server-data-malformed:m.secret_storage.default_key',
      'server-data-malformed:the key backup (room_keys/version)',
    ]);
    assert.ok(!r.problems.some((p) => p.code === 'no-default-key' || p.code === 'no-secret-storage'));
    assert.equal(r.backup, null);
    assert.equal(r.secretStorage.secrets[0]!.unreadable, 'secret encrypted is string, not an object');
  });

  it('a secret that decrypts to something that is not a key', async () => {
    const view = await healthyView();
    await storeSecrets(view, { 'm.cross_signing.master': 'not base64 at all!' }, [[KEY_ID, SSSS_KEY]]);
    const r = await report(view, SSSS_KEY);
    assert.deepEqual(codes(r.problems), ['secret-undecryptable:m.cross_signing.master']);
    assert.equal(r.secretStorage.secrets[0]!.check?.error, 'not-a-key');
  });

  it('a user-signing key signed by something else than the master', async () => {
    const view = await healthyView();
    view.keysQuery.user_signing_keys![USER] = await crossSigningKey('user_signing', KEYS_A.usk);
    const r = await report(view);
    assert.equal(r.identity.userSigning.signatureByMaster, 'not-signed');
    assert.deepEqual(codes(r.problems), ['user-signing-not-signed-by-master:user_signing']);
  });
});
