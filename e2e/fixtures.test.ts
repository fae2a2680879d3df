// The identity fixtures (e2e/harness/identity.ts) really produce the states they claim. Every
// state is built on a real Synapse and then checked from what the SERVER returns (/keys/query,
// account data, /room_keys/version), with signatures verified by the project's core on both
// Ed25519 backends. The builder's account object only supplies key IDs, device IDs, the recovery
// key and passphrase, as a user would.
//
// Each state is summarised into a Report; the broken states must equal HEALTHY except for the
// fields of their one fault, so an accidental second fault fails too.
//
// The 1000-device account builds in 15-20 s on a 2-core machine (whole file ~25 s); XSIGN_BIG=0
// skips it.
import { before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSecretStorageKey, ConnectionError, curve25519PublicKey, decodeBase64, decodeRecoveryKey, decryptSecret,
  deriveKeyFromPassphrase, encodeBase64, isJsonObject, nobleEd25519, UiaRequiredError, verifyJsonSignature,
  webCryptoEd25519, type EncryptedSecret, type SignatureCheck,
} from '../src/core/index.ts';
import {
  buildAccount, CROSS_SIGNING_SECRET_NAMES, DEFAULT_KEY_TYPE, FIXTURE_STATES, keyDescriptionType,
  generateCrossSigningKeys, readServerState, SECRET_NAMES, uploadCrossSigningKeys, type CrossSigningKeys, type FixtureAccount,
  type FixtureState, type KeyPair, type SecretStorageFixture, type ServerState,
} from './harness/identity.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';

const webCrypto = webCryptoEd25519();
/** Devices (in /keys/query order) whose signatures are also checked with noble; the rest WebCrypto only. */
const NOBLE_DEVICE_SAMPLE = 25;
const PASSPHRASE = 'correct horse battery staple';

type J = Record<string, unknown>;
const obj = (v: unknown): J => (isJsonObject(v) ? v : {});

/** Verify with WebCrypto and (if `both`) noble too; the two must agree. */
async function verify(object: unknown, userId: string, keyId: string, publicKey: string, both = true): Promise<SignatureCheck> {
  const pub = decodeBase64(publicKey);
  const web = await verifyJsonSignature(object, userId, keyId, pub, webCrypto);
  if (both) assert.equal(await verifyJsonSignature(object, userId, keyId, pub, nobleEd25519), web, `backends disagree on ${keyId}`);
  return web;
}

/** The single `ed25519:<pub>` of a published cross-signing key, checking its shape on the way. */
function publishedKey(key: unknown, userId: string, usage: string): string | null {
  if (key === undefined) return null;
  const k = obj(key);
  assert.equal(k['user_id'], userId);
  assert.deepEqual(k['usage'], [usage]);
  const entries = Object.entries(obj(k['keys']));
  assert.equal(entries.length, 1, `${usage} key must have exactly one key`);
  const [id, value] = entries[0]!;
  assert.equal(id, `ed25519:${value as string}`);
  return value as string;
}

type SecretReport = null | { under: string[]; matchesPublished: boolean };
type Report = {
  crossSigning: null | {
    sskByMaster: SignatureCheck; uskByMaster: SignatureCheck; masterBySessionDevice: SignatureCheck;
    devicesSignedByCurrentSsk: number; sessionSignedByCurrentSsk: boolean;
  };
  devices: number; devicesSelfSigned: number;
  defaultKey: string | null; keyDescriptionsValid: string[];
  secrets: Record<string, SecretReport>;
  backup: null | { byMaster: SignatureCheck; bySessionDevice: SignatureCheck };
};

/** Role of a key ID from the fixture's point of view, for readable reports. */
function role(account: FixtureAccount, keyId: string, defaultKeyId: string | null): string {
  if (keyId === defaultKeyId) return 'default';
  if (keyId === account.otherSecretStorage?.keyId) return 'other';
  if (keyId === account.secretStorage?.keyId) return 'main';
  return `unknown:${keyId}`;
}

/** The 4S key a user would get from the recovery key (and passphrase), checked against the server. */
async function keyFromUser(server: ServerState, fixture: SecretStorageFixture): Promise<Uint8Array> {
  const key = decodeRecoveryKey(fixture.recoveryKey);
  const description = obj(server.accountData[keyDescriptionType(fixture.keyId)]);
  assert.equal(description['algorithm'], 'm.secret_storage.v1.aes-hmac-sha2');
  assert.equal(await checkSecretStorageKey(key, description as { iv?: string; mac?: string }), true, 'recovery key fails the key check');
  if (fixture.passphrase !== undefined) {
    const pp = obj(description['passphrase']);
    assert.equal(pp['algorithm'], 'm.pbkdf2');
    const derived = await deriveKeyFromPassphrase(fixture.passphrase, pp['salt'] as string, pp['iterations'] as number);
    assert.deepEqual(derived, key, 'passphrase does not derive the recovery key');
  }
  return key;
}

/** Decrypt a secret from server account data with a user-supplied key. */
async function decrypt(server: ServerState, name: string, keyId: string, key: Uint8Array): Promise<string> {
  const encrypted = obj(obj(server.accountData[name])['encrypted'])[keyId];
  return decryptSecret(key, name, encrypted as EncryptedSecret);
}

async function seedPublicKey(seedB64: string): Promise<string> {
  return encodeBase64(await webCrypto.publicKey(decodeBase64(seedB64)));
}

async function inspect(hs: SynapseInfo, account: FixtureAccount): Promise<{ report: Report; server: ServerState }> {
  const server = await readServerState(hs, account);
  const me = account.user.userId;
  const q = obj(server.keysQuery);
  const devices = obj(obj(q['device_keys'])[me]);
  const session = obj(devices[account.user.deviceId]);
  const sessionKey = obj(session['keys'])[`ed25519:${account.user.deviceId}`] as string;

  // Devices: same set as the fixture, same ed25519 keys, each self-signed.
  assert.deepEqual(Object.keys(devices).sort(), account.devices.map((d) => d.deviceId).sort());
  let devicesSelfSigned = 0;
  let i = 0;
  for (const d of account.devices) {
    const device = obj(devices[d.deviceId]);
    assert.equal(obj(device['keys'])[`ed25519:${d.deviceId}`], d.ed25519.publicKey);
    assert.equal(obj(device['keys'])[`curve25519:${d.deviceId}`], d.curve25519);
    if ((await verify(device, me, `ed25519:${d.deviceId}`, d.ed25519.publicKey, i++ < NOBLE_DEVICE_SAMPLE)) === 'valid') devicesSelfSigned++;
  }

  const master = publishedKey(obj(q['master_keys'])[me], me, 'master');
  const ssk = publishedKey(obj(q['self_signing_keys'])[me], me, 'self_signing');
  const usk = publishedKey(obj(q['user_signing_keys'])[me], me, 'user_signing');
  let crossSigning: Report['crossSigning'] = null;
  if (master === null) {
    assert.equal(ssk, null);
    assert.equal(usk, null);
  } else {
    assert.ok(ssk !== null && usk !== null, 'master without SSK/USK');
    let signed = 0;
    i = 0;
    for (const id of Object.keys(devices)) {
      if ((await verify(devices[id], me, `ed25519:${ssk}`, ssk, i++ < NOBLE_DEVICE_SAMPLE)) === 'valid') signed++;
    }
    crossSigning = {
      sskByMaster: await verify(obj(q['self_signing_keys'])[me], me, `ed25519:${master}`, master),
      uskByMaster: await verify(obj(q['user_signing_keys'])[me], me, `ed25519:${master}`, master),
      masterBySessionDevice: await verify(obj(q['master_keys'])[me], me, `ed25519:${account.user.deviceId}`, sessionKey),
      devicesSignedByCurrentSsk: signed,
      sessionSignedByCurrentSsk: (await verify(session, me, `ed25519:${ssk}`, ssk)) === 'valid',
    };
  }

  // Secret storage: decrypt with keys derived from what the user holds.
  const defaultKeyContent = server.accountData[DEFAULT_KEY_TYPE];
  const defaultKeyId = defaultKeyContent === null ? null : (obj(defaultKeyContent)['key'] as string);
  const userKeys = new Map<string, Uint8Array>();
  for (const f of [account.secretStorage, account.otherSecretStorage]) if (f) userKeys.set(f.keyId, await keyFromUser(server, f));
  const backupPub = server.backup === null ? null : (obj(obj(server.backup)['auth_data'])['public_key'] as string);
  const published: Record<string, string | null> = {
    'm.cross_signing.master': master, 'm.cross_signing.self_signing': ssk, 'm.cross_signing.user_signing': usk,
  };
  const secrets: Record<string, SecretReport> = {};
  for (const name of SECRET_NAMES) {
    const encrypted = obj(server.accountData[name])['encrypted'];
    if (!isJsonObject(encrypted)) { secrets[name] = null; continue; }
    const keyIds = Object.keys(encrypted);
    // Every key it is encrypted under must decrypt it, and to the same value.
    const plaintexts = new Set<string>();
    for (const keyId of keyIds) {
      const key = userKeys.get(keyId);
      assert.ok(key, `${name} is encrypted under a key the fixture does not know: ${keyId}`);
      plaintexts.add(await decrypt(server, name, keyId, key));
    }
    assert.equal(plaintexts.size, 1);
    const plaintext = [...plaintexts][0]!;
    const derived = name === 'm.megolm_backup.v1'
      ? encodeBase64(curve25519PublicKey(decodeBase64(plaintext)))
      : await seedPublicKey(plaintext);
    const target = name === 'm.megolm_backup.v1' ? backupPub : published[name];
    secrets[name] = { under: keyIds.map((id) => role(account, id, defaultKeyId)), matchesPublished: derived === target };
  }

  let backup: Report['backup'] = null;
  if (server.backup !== null) {
    const b = obj(server.backup);
    assert.equal(b['algorithm'], 'm.megolm_backup.v1.curve25519-aes-sha2');
    const authData = b['auth_data'];
    backup = {
      byMaster: master === null ? 'not-signed' : await verify(authData, me, `ed25519:${master}`, master),
      bySessionDevice: await verify(authData, me, `ed25519:${account.user.deviceId}`, sessionKey),
    };
  }

  const keyDescriptionsValid = [...userKeys.keys()].map((id) => role(account, id, defaultKeyId)).sort();
  return {
    server,
    report: {
      crossSigning, devices: Object.keys(devices).length, devicesSelfSigned,
      defaultKey: defaultKeyId === null ? null : role(account, defaultKeyId, defaultKeyId),
      keyDescriptionsValid, secrets, backup,
    },
  };
}

/** What a healthy account with `n` devices reports. */
function healthy(n: number): Report {
  const good = { under: ['default'], matchesPublished: true };
  return {
    crossSigning: {
      sskByMaster: 'valid', uskByMaster: 'valid', masterBySessionDevice: 'valid',
      devicesSignedByCurrentSsk: n, sessionSignedByCurrentSsk: true,
    },
    devices: n, devicesSelfSigned: n,
    defaultKey: 'default', keyDescriptionsValid: ['default'],
    secrets: Object.fromEntries(SECRET_NAMES.map((s) => [s, good])),
    backup: { byMaster: 'valid', bySessionDevice: 'valid' },
  };
}

const cs = (r: Report) => r.crossSigning!;
const withSecrets = (r: Report, names: readonly string[], value: SecretReport): Report =>
  ({ ...r, secrets: { ...r.secrets, ...Object.fromEntries(names.map((n) => [n, value])) } });

/** Expected report of each state with 2 devices: HEALTHY with exactly the fault's fields changed. */
const N = 2;
const EXPECTED: Record<FixtureState, Report> = {
  'healthy': healthy(N),
  'no-cross-signing': {
    crossSigning: null, devices: N, devicesSelfSigned: N, defaultKey: null, keyDescriptionsValid: [],
    secrets: Object.fromEntries(SECRET_NAMES.map((s) => [s, null])), backup: null,
  },
  'devices-not-cross-signed': { ...healthy(N), crossSigning: { ...cs(healthy(N)), devicesSignedByCurrentSsk: 1 } },
  'master-replaced': {
    ...healthy(N),
    crossSigning: { ...cs(healthy(N)), devicesSignedByCurrentSsk: 0, sessionSignedByCurrentSsk: false, masterBySessionDevice: 'not-signed' },
  },
  'secrets-missing': withSecrets(healthy(N), CROSS_SIGNING_SECRET_NAMES, null),
  'secrets-non-default-key': {
    ...withSecrets(healthy(N), CROSS_SIGNING_SECRET_NAMES, { under: ['other'], matchesPublished: true }),
    keyDescriptionsValid: ['default', 'other'],
  },
  'secrets-mismatch': withSecrets(healthy(N), CROSS_SIGNING_SECRET_NAMES, { under: ['default'], matchesPublished: false }),
  'no-default-key': {
    ...withSecrets(healthy(N), SECRET_NAMES, { under: ['main'], matchesPublished: true }),
    defaultKey: null, keyDescriptionsValid: ['main'],
  },
  'backup-key-missing': withSecrets(healthy(N), ['m.megolm_backup.v1'], null),
  'backup-not-signed-by-master': { ...healthy(N), backup: { byMaster: 'not-signed', bySessionDevice: 'valid' } },
};

/** Every device's signature by the given SSK. */
async function deviceSignaturesBy(server: ServerState, account: FixtureAccount, ssk: KeyPair): Promise<SignatureCheck[]> {
  const me = account.user.userId;
  const devices = obj(obj(obj(server.keysQuery)['device_keys'])[me]);
  return Promise.all(account.devices.map((d) => verify(devices[d.deviceId], me, `ed25519:${ssk.publicKey}`, ssk.publicKey)));
}

/** The cross-signing seeds secret storage holds, decrypted with the given key. */
async function storedSeeds(server: ServerState, fixture: SecretStorageFixture): Promise<string[]> {
  const key = decodeRecoveryKey(fixture.recoveryKey);
  return Promise.all(CROSS_SIGNING_SECRET_NAMES.map((name) => decrypt(server, name, fixture.keyId, key)));
}
const seedsOf = (k: CrossSigningKeys) => [k.master.seed, k.selfSigning.seed, k.userSigning.seed].map(encodeBase64);

/** Extra, state-specific checks beyond the report. */
const EXTRA: Partial<Record<FixtureState, (a: FixtureAccount, s: ServerState) => Promise<void>>> = {
  'healthy': async (a, s) => {
    assert.deepEqual(await storedSeeds(s, a.secretStorage!), seedsOf(a.crossSigning!));
    const bk = await decrypt(s, 'm.megolm_backup.v1', a.secretStorage!.keyId, decodeRecoveryKey(a.secretStorage!.recoveryKey));
    assert.equal(bk, encodeBase64(a.backup!.privateKey));
  },
  'devices-not-cross-signed': async (a, s) => {
    assert.deepEqual(await deviceSignaturesBy(s, a, a.crossSigning!.selfSigning),
      a.devices.map((_, i) => (i === 0 ? 'valid' : 'not-signed')));
  },
  'master-replaced': async (a, s) => {
    const prev = a.previousCrossSigning!;
    const me = a.user.userId;
    const q = obj(s.keysQuery);
    assert.notEqual(prev.master.publicKey, a.crossSigning!.master.publicKey);
    assert.equal(publishedKey(obj(q['master_keys'])[me], me, 'master'), a.crossSigning!.master.publicKey);
    // Devices carry only the OLD SSK's (still valid) signature, none by the new one.
    assert.deepEqual(await deviceSignaturesBy(s, a, prev.selfSigning), a.devices.map(() => 'valid'));
    assert.deepEqual(await deviceSignaturesBy(s, a, a.crossSigning!.selfSigning), a.devices.map(() => 'not-signed'));
    // 4S and backup follow the new keys; the old master no longer signs the backup.
    assert.deepEqual(await storedSeeds(s, a.secretStorage!), seedsOf(a.crossSigning!));
    const authData = obj(s.backup)['auth_data'];
    assert.equal(await verify(authData, me, `ed25519:${prev.master.publicKey}`, prev.master.publicKey), 'not-signed');
  },
  'secrets-non-default-key': async (a, s) => {
    assert.deepEqual(await storedSeeds(s, a.otherSecretStorage!), seedsOf(a.crossSigning!));
  },
  'secrets-mismatch': async (a, s) => {
    assert.deepEqual(await storedSeeds(s, a.secretStorage!), seedsOf(a.unpublishedCrossSigning!));
  },
  'no-default-key': async (_a, s) => {
    assert.equal(s.accountData[DEFAULT_KEY_TYPE], null);
  },
  'backup-key-missing': async (a, s) => {
    assert.equal(s.accountData['m.megolm_backup.v1'], null);
    assert.equal(obj(obj(s.backup)['auth_data'])['public_key'], a.backup!.publicKey);
  },
  'backup-not-signed-by-master': async (a, s) => {
    const sigs = obj(obj(obj(obj(s.backup)['auth_data'])['signatures'])[a.user.userId]);
    assert.deepEqual(Object.keys(sigs), [`ed25519:${a.user.deviceId}`]);
  },
};

const timings: string[] = [];
async function timedBuild(t: TestContext, hs: SynapseInfo, state: FixtureState, opts: Parameters<typeof buildAccount>[2] = {}) {
  const t0 = performance.now();
  const account = await buildAccount(hs, state, opts);
  const buildMs = Math.round(performance.now() - t0);
  const t1 = performance.now();
  const result = await inspect(hs, account);
  const line = `${state} (${opts.devices ?? 2} devices): build ${buildMs} ms, inspect ${Math.round(performance.now() - t1)} ms`;
  timings.push(line);
  t.diagnostic(line);
  return { account, ...result };
}


describe('identity fixtures on a real Synapse', () => {
  let hs: SynapseInfo;
  before(async () => {
    hs = await testSynapse();
  });

  for (const state of FIXTURE_STATES) {
    test(`state ${state}`, async (t) => {
      // The default 4S key is passphrase-derived in some states, random in the others.
      const passphrase = ['healthy', 'master-replaced', 'no-default-key'].includes(state) ? PASSPHRASE : undefined;
      const { account, report, server } = await timedBuild(t, hs, state, passphrase ? { passphrase } : {});
      assert.deepEqual(report, EXPECTED[state]);
      assert.equal(account.devices[0]!.deviceId, account.user.deviceId, 'session device first');
      await EXTRA[state]?.(account, server);
    });
  }

  test('Synapse: identical re-upload needs no UIA, a replacement does', async () => {
    const account = await buildAccount(hs, 'healthy', { devices: 1 });
    assert.deepEqual(await uploadCrossSigningKeys(account.user, account.crossSigning!), { uia: false });
    // A new key set without a password: the 401 challenge offers m.login.password.
    const { password: _pw, ...noPassword } = account.user;
    await assert.rejects(uploadCrossSigningKeys(noPassword, await generateCrossSigningKeys()), (e: unknown) =>
      e instanceof UiaRequiredError && e.challenge.flows.some((f) => f.stages.includes('m.login.password')));
    // Still the first keys: the rejected request changed nothing.
    const now = await readServerState(hs, account);
    const master = obj(obj(obj(now.keysQuery)['master_keys'])[account.user.userId]);
    assert.deepEqual(Object.keys(obj(master['keys'])), [`ed25519:${account.crossSigning!.master.publicKey}`]);
  });

  test('Synapse: re-uploading a previous key set is a 500 that changes nothing', async () => {
    // docs/matrix-api.md#synapse-upload-checks: confirmed on Synapse 1.163 (UNIQUE constraint on devices).
    const account = await buildAccount(hs, 'master-replaced', { devices: 1 });
    await assert.rejects(uploadCrossSigningKeys(account.user, account.previousCrossSigning!), (e: unknown) =>
      e instanceof ConnectionError && e.status === 500);
    const q = obj((await readServerState(hs, account)).keysQuery);
    const me = account.user.userId;
    assert.equal(publishedKey(obj(q['master_keys'])[me], me, 'master'), account.crossSigning!.master.publicKey);
    assert.equal(publishedKey(obj(q['self_signing_keys'])[me], me, 'self_signing'), account.crossSigning!.selfSigning.publicKey);
    assert.equal(publishedKey(obj(q['user_signing_keys'])[me], me, 'user_signing'), account.crossSigning!.userSigning.publicKey);
  });

  test('every state is distinguishable from every other by its report', () => {
    for (const a of FIXTURE_STATES) {
      for (const b of FIXTURE_STATES) if (a !== b) assert.notDeepEqual(EXPECTED[a], EXPECTED[b], `${a} vs ${b}`);
    }
  });

  test("'devices-not-cross-signed' refuses a single device", async () => {
    await assert.rejects(buildAccount(hs, 'devices-not-cross-signed', { devices: 1 }), RangeError);
  });

  for (const n of [1, 50, 1000]) {
    const skip = n === 1000 && process.env['XSIGN_BIG'] === '0' ? 'XSIGN_BIG=0' : false;
    test(`healthy with ${n} device(s)`, { skip, timeout: 180_000 }, async (t) => {
      const { report } = await timedBuild(t, hs, 'healthy', { devices: n });
      assert.deepEqual(report, healthy(n));
    });
  }

  test('timings', (t) => {
    for (const line of timings) t.diagnostic(line);
  });
});
