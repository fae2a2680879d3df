import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBase64 } from '../base64.ts';
import { verifyJsonSignature } from '../signing.ts';
import { diagnosticData, diagnosticJson, redactedReport } from './diagnostic.ts';
import { BACKUP_PRIVATE, DEVICES, ed, healthyView, KEYS_A, secretsOf, SSSS_KEY, stateOf, USER } from './fixture.test.ts';
import { buildReport } from './report.ts';

async function fixture() {
  const view = await healthyView();
  const devices = view.keysQuery.device_keys![USER] as Record<string, { unsigned: Record<string, unknown> }>;
  devices.DEVICEONE!.unsigned.device_display_name = "Alice's work laptop";
  const state = stateOf(view);
  const report = await buildReport(state, { userId: USER, deviceId: 'DEVICEONE', ed, secretStorageKey: SSSS_KEY });
  return { view, state, report };
}

describe('diagnostic report', () => {
  it('holds the report and the raw server JSON, but no secret, ciphertext, key check or display name', async () => {
    const { state, report } = await fixture();
    const text = diagnosticJson(report, state, { generatedAt: '2026-01-01T00:00:00.000Z' });
    const data = JSON.parse(text) as ReturnType<typeof diagnosticData>;
    assert.equal(data.tool, 'xsign-doctor');
    assert.equal(data.generatedAt, '2026-01-01T00:00:00.000Z');
    assert.equal(data.report.healthy, true);
    assert.deepEqual(data.report.problems, []);
    assert.equal(data.server.accountData.length, 6);
    for (const forbidden of [
      ...Object.values(secretsOf(KEYS_A)), encodeBase64(BACKUP_PRIVATE), encodeBase64(SSSS_KEY), "Alice's work laptop", 'DEVICETWO name',
    ]) assert.ok(!text.includes(forbidden), `leaked ${forbidden}`);
    const master = data.server.accountData.find((a) => a.type === 'm.cross_signing.master')!.read;
    assert.ok(master.status === 'found');
    const entry = (master.raw as { encrypted: Record<string, Record<string, string>> }).encrypted.DEFAULTKEYID!;
    assert.match(entry.ciphertext!, /^\[redacted: \d+ characters\]$/);
    assert.match(entry.mac!, /^\[redacted: \d+ characters\]$/);
    assert.equal(typeof entry.iv, 'string');
    const description = data.server.accountData.find((a) => a.type.startsWith('m.secret_storage.key.'))!.read;
    assert.ok(description.status === 'found' && /^\[redacted/.test((description.raw as { mac: string }).mac));
  });

  it('leaves the raw keys verifiable and the state untouched', async () => {
    const { state, report } = await fixture();
    const before = JSON.stringify(state);
    const data = diagnosticData(report, state);
    assert.equal(JSON.stringify(state), before);
    const device = (data.server.keysQuery as { device_keys: Record<string, Record<string, unknown>> }).device_keys[USER]!.DEVICEONE!;
    assert.equal(await verifyJsonSignature(device, USER, 'ed25519:DEVICEONE', await ed.publicKey(DEVICES.DEVICEONE!), ed), 'valid');
    assert.equal(data.report.devices[0]!.displayName, '[redacted: 19 characters]');
    assert.equal(report.devices[0]!.displayName, "Alice's work laptop");
  });

  it('redactedReport copies safely even with "__proto__" members', async () => {
    const { report } = await fixture();
    const hostile = JSON.parse(JSON.stringify(report).replace('"formatVersion":1', '"__proto__":{"polluted":1},"formatVersion":1')) as typeof report;
    const copy = redactedReport(hostile);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.ok(Object.prototype.hasOwnProperty.call(copy, '__proto__'));
  });
});

describe('diagnostic report: users', () => {
  it('counts users per state and names none of them', async () => {
    const { state, report } = await fixture();
    const users = {
      formatVersion: 1 as const, userId: USER, userSigningKey: null,
      users: [{ userId: '@secret-friend:example.org', masterKey: 'KEY', fingerprint: 'KEY', state: 'verified' as const, signatures: [], sources: ['typed' as const] }],
      counts: { 'verified': 1, 'verified-by-replaced-key': 0, 'identity-changed': 0, 'not-verified': 0, 'no-identity': 0 },
      problems: [{ code: 'users-verified-by-replaced-key' as const, message: '1 person …', repair: 'reverify-users' as const, count: 1 }],
      discovery: { roomsReturned: 1, encryptedRooms: 1, directPartners: 0, typed: 1, roomsFailed: 0, keysQueryRequests: 1, truncated: 0 },
    };
    const text = diagnosticJson(report, state, { users });
    const data = JSON.parse(text) as ReturnType<typeof diagnosticData>;
    assert.deepEqual(data.users, { counts: users.counts, problems: [{ code: 'users-verified-by-replaced-key', count: 1 }] });
    assert.ok(!text.includes('secret-friend'));
    assert.equal(diagnosticData(report, state).users, undefined);
  });
});
