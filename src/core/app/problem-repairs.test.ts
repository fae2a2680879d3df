// Every problem names a repair that exists and that prepares on an account that has the problem:
// for each problem code (and each repair a code names per key role), a real account state with
// that problem (src/core/inspect/fixture.test.ts: keys signed with real seeds, secrets really
// encrypted), served through the core client, inspected and prepared by prepareRepair. The
// assertion is a plan with steps, or, where the repair cannot do it, the specific refusal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBase64 } from '../base64.ts';
import { createMatrixClient } from '../matrix/client.ts';
import { encryptSecret } from '../secret-storage.ts';
import { encodeRecoveryKey } from '../recovery-key.ts';
import { DEFAULT_KEY_TYPE, KEY_DESCRIPTION_PREFIX } from '../inspect/account-state.ts';
import {
  backupVersion, crossSigningKey, DEVICES, deviceKeys, ed, healthyView, KEY_ID, KEYS_A, KEYS_B, OTHER_KEY_ID, OTHER_SSSS_KEY,
  RECOVERY_KEY, seed, SSSS_KEY, storeSecrets, USER, type ServerView,
} from '../inspect/fixture.test.ts';
import { PROBLEM_CODES, type ProblemCode } from '../inspect/problems.ts';
import type { SecretStorageKeyInput } from '../inspect/secret-storage-key.ts';
import { createSecretStorageKeyDescription } from '../secret-storage.ts';
import { prepareRepair } from './prepare-repair.ts';
import { fetchFromView } from './view-fetch.test.ts';
import { isRepairKind, type RefusalCode, type RepairKind, type RepairRequest } from './repair-request.ts';

const SESSION = { userId: USER, deviceId: 'DEVICEONE' };
const KEY: SecretStorageKeyInput = { recoveryKey: RECOVERY_KEY };
const ks = (view: ServerView): Record<string, Record<string, unknown>> => view.keysQuery as Record<string, Record<string, unknown>>;

interface Scenario {
  /** Turn the healthy account into one with the problem. */
  break: (view: ServerView) => Promise<void>;
  /** The problem's subject, when the repair depends on it (a key role or secret name). */
  subject?: string;
  /** The repair the report must name for it. */
  repair: RepairKind;
  /** The options the person gives with that repair (default: the kind alone). */
  request?: RepairRequest;
  key?: SecretStorageKeyInput;
  /** Where the repair cannot fix it on this account: the refusal it must give. */
  refusal?: RefusalCode;
}

const unsignedSubkey = (usage: 'self_signing' | 'user_signing', s: Uint8Array) => async (view: ServerView) => {
  ks(view)[`${usage}_keys`]![USER] = await crossSigningKey(usage, s);
};
const malformedSubkey = (usage: 'self_signing' | 'user_signing') => async (view: ServerView) => {
  ks(view)[`${usage}_keys`]![USER] = { user_id: USER, usage: [usage], keys: {} };
};
const addDevice = (sign?: Uint8Array, tamper = false) => async (view: ServerView) => {
  const device = await deviceKeys('DEVICETHREE', seed(23), sign);
  if (tamper) {
    const sigs = (device.signatures as Record<string, Record<string, string>>)[USER]!;
    for (const id of Object.keys(sigs)) if (id !== 'ed25519:DEVICETHREE') sigs[id] = encodeBase64(new Uint8Array(64).fill(7));
  }
  (ks(view).device_keys![USER] as Record<string, unknown>).DEVICETHREE = device;
};
/** A secret encrypted under some other key but filed under the default key's ID: passes the key check, does not decrypt. */
const undecryptable = (name: string) => async (view: ServerView) => {
  view.accountData.set(name, { encrypted: { [KEY_ID]: await encryptSecret(OTHER_SSSS_KEY, name, encodeBase64(seed(99))) } });
};
/** A second secret-storage key holding the secrets, the default key none. */
const secretsOnlyUnderOtherKey = async (view: ServerView): Promise<void> => {
  view.accountData.set(`${KEY_DESCRIPTION_PREFIX}${OTHER_KEY_ID}`, await createSecretStorageKeyDescription(OTHER_SSSS_KEY, { name: 'other' }));
  await storeSecrets(view, { 'm.cross_signing.master': encodeBase64(KEYS_A.master) }, [[OTHER_KEY_ID, OTHER_SSSS_KEY]]);
};
const fromOtherKey: RepairRequest = { kind: 'store-secrets', from: { key: { recoveryKey: encodeRecoveryKey(OTHER_SSSS_KEY) } } };

/** A device whose own signature does not verify (tampered after signing). */
const badSelfSignature = async (view: ServerView): Promise<void> => {
  const device = await deviceKeys('DEVICETHREE', seed(23), KEYS_A.ssk);
  (device.signatures as Record<string, Record<string, string>>)[USER]!['ed25519:DEVICETHREE'] = encodeBase64(new Uint8Array(64).fill(9));
  (ks(view).device_keys![USER] as Record<string, unknown>).DEVICETHREE = device;
};
/** A device whose ID is the self-signing key's public key. */
const collidingDevice = async (view: ServerView): Promise<void> => {
  const id = Object.values((await crossSigningKey('self_signing', KEYS_A.ssk)).keys as Record<string, string>)[0]!;
  (ks(view).device_keys![USER] as Record<string, unknown>)[id] = await deviceKeys(id, seed(24));
};

const SCENARIOS: Partial<Record<ProblemCode, Scenario[]>> = {
  'no-cross-signing': [
    // Secret storage still holds all three private keys: publish them again.
    { break: async (view) => { for (const k of ['master_keys', 'self_signing_keys', 'user_signing_keys']) delete ks(view)[k]; }, repair: 'upload-keys' },
    {
      break: async (view) => {
        for (const k of ['master_keys', 'self_signing_keys', 'user_signing_keys']) delete ks(view)[k];
        view.accountData.delete('m.cross_signing.master');
      },
      repair: 'reset-cross-signing',
    },
  ],
  'master-key-malformed': [{ break: async (view) => { ks(view).master_keys![USER] = { user_id: USER, usage: ['master'], keys: {} }; }, repair: 'reset-cross-signing' }],
  'key-for-other-user': [
    { break: async (view) => { (ks(view).master_keys![USER] as Record<string, unknown>).user_id = '@mallory:example.org'; }, subject: 'master', repair: 'reset-cross-signing' },
    { break: async (view) => { (ks(view).self_signing_keys![USER] as Record<string, unknown>).user_id = '@mallory:example.org'; }, subject: 'self_signing', repair: 'regenerate-subkeys' },
  ],
  'self-signing-key-missing': [{ break: async (view) => { delete ks(view).self_signing_keys; }, repair: 'regenerate-subkeys' }],
  'user-signing-key-missing': [{ break: async (view) => { delete ks(view).user_signing_keys; }, repair: 'regenerate-subkeys' }],
  'self-signing-key-malformed': [{ break: malformedSubkey('self_signing'), repair: 'regenerate-subkeys' }],
  'user-signing-key-malformed': [{ break: malformedSubkey('user_signing'), repair: 'regenerate-subkeys' }],
  'self-signing-not-signed-by-master': [{ break: unsignedSubkey('self_signing', KEYS_A.ssk), repair: 'regenerate-subkeys' }],
  'user-signing-not-signed-by-master': [{ break: unsignedSubkey('user_signing', KEYS_A.usk), repair: 'regenerate-subkeys' }],
  'device-not-cross-signed': [{ break: addDevice(), repair: 'sign-devices' }],
  'device-cross-signature-invalid': [{ break: addDevice(KEYS_A.ssk, true), repair: 'sign-devices' }],
  'device-signed-by-old-key': [{ break: addDevice(KEYS_B.ssk), repair: 'sign-devices' }],
  'no-secret-storage': [{ break: async (view) => { view.accountData.clear(); }, repair: 'create-secret-storage', key: {} }],
  'no-default-key': [
    { break: async (view) => { view.accountData.delete(DEFAULT_KEY_TYPE); }, repair: 'set-default-key' },
    // No key described to choose: only a new key helps.
    {
      break: async (view) => { view.accountData.delete(DEFAULT_KEY_TYPE); view.accountData.delete(`${KEY_DESCRIPTION_PREFIX}${KEY_ID}`); },
      repair: 'create-secret-storage', key: {},
    },
  ],
  // The old recovery key still reads what is stored under the undescribable key.
  'default-key-description-missing': [{ break: async (view) => { view.accountData.delete(`${KEY_DESCRIPTION_PREFIX}${KEY_ID}`); }, repair: 'create-secret-storage' }],
  'default-key-unsupported': [{
    break: async (view) => { view.accountData.set(`${KEY_DESCRIPTION_PREFIX}${KEY_ID}`, { algorithm: 'org.example.unknown' }); },
    repair: 'create-secret-storage',
  }],
  'device-self-signature-invalid': [{ break: badSelfSignature, repair: 'sign-out-device' }],
  'device-id-collides-with-key': [{ break: collidingDevice, repair: 'sign-out-device' }],
  'backup-key-missing': [{ break: async (view) => { view.accountData.delete('m.megolm_backup.v1'); }, repair: 'reset-backup' }],
  'backup-key-mismatch': [{ break: async (view) => storeSecrets(view, { 'm.megolm_backup.v1': encodeBase64(seed(77)) }, [[KEY_ID, SSSS_KEY]]), repair: 'reset-backup' }],
  'secret-missing': [
    { break: async (view) => { view.accountData.delete('m.cross_signing.master'); }, subject: 'm.cross_signing.master', repair: 'reset-cross-signing' },
    { break: async (view) => { view.accountData.delete('m.cross_signing.self_signing'); }, subject: 'm.cross_signing.self_signing', repair: 'regenerate-subkeys' },
  ],
  'secret-not-under-default-key': [{
    break: async (view) => { view.accountData.delete('m.cross_signing.master'); await secretsOnlyUnderOtherKey(view); },
    subject: 'm.cross_signing.master', repair: 'store-secrets', request: fromOtherKey,
  }],
  'secret-mismatch': [
    { break: async (view) => storeSecrets(view, { 'm.cross_signing.user_signing': encodeBase64(KEYS_B.usk) }, [[KEY_ID, SSSS_KEY]]), subject: 'm.cross_signing.user_signing', repair: 'regenerate-subkeys' },
    { break: async (view) => storeSecrets(view, { 'm.cross_signing.master': encodeBase64(KEYS_B.master) }, [[KEY_ID, SSSS_KEY]]), subject: 'm.cross_signing.master', repair: 'reset-cross-signing' },
  ],
  'secret-undecryptable': [
    { break: undecryptable('m.cross_signing.master'), subject: 'm.cross_signing.master', repair: 'reset-cross-signing' },
    { break: undecryptable('m.cross_signing.user_signing'), subject: 'm.cross_signing.user_signing', repair: 'regenerate-subkeys' },
    { break: undecryptable('m.megolm_backup.v1'), subject: 'm.megolm_backup.v1', repair: 'reset-backup' },
  ],
  'backup-not-trusted': [{ break: async (view) => { view.backup = await backupVersion([]); }, repair: 'resign-backup' }],
  'backup-not-signed-by-master': [{
    break: async (view) => { view.backup = await backupVersion([{ keyId: 'ed25519:DEVICEONE', seed: DEVICES.DEVICEONE! }]); },
    repair: 'resign-backup',
  }],
};

describe('every problem names a repair that prepares on an account with that problem', () => {
  it('every code whose table entry names a repair has a scenario, and every repair named is a kind that exists', () => {
    for (const [code, info] of Object.entries(PROBLEM_CODES)) {
      if (info.repair === undefined) continue;
      assert.ok(isRepairKind(info.repair), `${code} names ${info.repair}, which is no RepairRequest kind`);
      assert.ok(SCENARIOS[code as ProblemCode]?.some((s) => s.repair === info.repair && s.refusal === undefined), `${code}: no scenario plans its repair ${info.repair}`);
    }
  });

  for (const [code, scenarios] of Object.entries(SCENARIOS)) {
    for (const s of scenarios) {
      it(`${code}${s.subject === undefined ? '' : ` (${s.subject})`} → ${s.repair}${s.refusal === undefined ? '' : ` refused: ${s.refusal}`}`, async () => {
        const view = await healthyView();
        await s.break(view);
        const client = createMatrixClient({ baseUrl: 'https://hs.example', accessToken: 'syt_test', fetch: fetchFromView(view) });
        const request = s.request ?? defaultRequest(s.repair);
        assert.equal(request.kind, s.repair);
        // The report the repair is prepared on names the problem, with this repair.
        const result = await prepareRepair(client, SESSION, request, s.key ?? KEY, { ed });
        const report = result.ok ? result.value.report : result.error.report;
        assert.ok(report !== undefined, JSON.stringify(result));
        const found = report.problems.filter((p) => p.code === code && (s.subject === undefined || p.subject === s.subject));
        assert.ok(found.length > 0, `no ${code} in ${JSON.stringify(report.problems.map((p) => `${p.code}:${p.subject}`))}`);
        assert.ok(found.every((p) => p.repair === s.repair), `${code} names ${found.map((p) => p.repair).join()} not ${s.repair}`);
        if (s.refusal !== undefined) {
          assert.equal(result.ok ? 'a plan' : result.error.code, s.refusal);
          return;
        }
        assert.ok(result.ok, `refused: ${JSON.stringify(!result.ok && { code: result.error.code, detail: result.error.detail })}`);
        assert.ok(result.value.plan.steps.length > 0);
        result.value.dispose();
      });
    }
  }
});

function defaultRequest(kind: RepairKind): RepairRequest {
  switch (kind) {
    case 'regenerate-subkeys': return { kind, selfSigning: true, userSigning: true };
    case 'manual-upload': return { kind, keys: {} };
    default: return { kind } as RepairRequest;
  }
}
