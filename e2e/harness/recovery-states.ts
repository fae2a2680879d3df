/**
 * Broken accounts the recovery repairs are for (docs/repairs.md), beyond the fixture states:
 * no secret storage after a reset whose keys went only to an export file, and a session whose
 * own signature is wrong. Shared by the CLI suite and the state × repair matrix.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeBase64, signJson, v3 } from '../../src/core/index.ts';
import { cli } from './cli-process.ts';
import { DEVICE_ALGORITHMS } from './device-keys.ts';
import { buildAccount, clientFor, fixtureEd25519, generateKeyPair, type FixtureAccount, type FixtureDevice } from './identity.ts';
import type { SynapseInfo } from './test-synapse.ts';
import { loginDevice } from './users.ts';

/** A fresh private directory for files the CLI writes (export, recovery key). */
export const privateDir = (): string => mkdtempSync(join(tmpdir(), 'xsign-recovery-'));

/**
 * An account reset with `xsign-doctor reset --export FILE --export-plaintext` and no secret
 * storage: cross-signing published (this session signed), the private keys only in FILE.
 */
export async function exportOnlyReset(hs: SynapseInfo, opts: { devices?: number } = {}): Promise<{ account: FixtureAccount; exportFile: string }> {
  const account = await buildAccount(hs, 'no-cross-signing', { devices: opts.devices ?? 2 });
  const exportFile = join(privateDir(), 'keys.json');
  const r = await cli(['reset', '--homeserver', hs.baseUrl, '--export', exportFile, '--export-plaintext', '--yes'], { XSIGN_TOKEN: account.user.accessToken });
  if (r.code !== 0) throw new Error(`the export-only reset failed (exit ${r.code}): ${r.stderr}`);
  return { account, exportFile };
}

/**
 * One more session on a healthy account whose device keys carry a wrong self-signature (Synapse
 * stores device keys without checking it). Returned last in `account.devices`.
 */
export async function withBadSelfSignature(hs: SynapseInfo, account: FixtureAccount): Promise<FixtureDevice> {
  const ed = await fixtureEd25519();
  const login = await loginDevice(hs, account.user, { displayName: 'session with a bad self-signature' });
  const ed25519 = await generateKeyPair(ed);
  const other = await generateKeyPair(ed);
  const curve25519 = encodeBase64(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  const { deviceId } = login;
  const keys = {
    user_id: account.user.userId, device_id: deviceId, algorithms: [...DEVICE_ALGORITHMS],
    keys: { [`ed25519:${deviceId}`]: ed25519.publicKey, [`curve25519:${deviceId}`]: curve25519 },
  };
  // Signed with a key that is not the device's own: the signature does not verify.
  const signed = await signJson(keys, { entity: account.user.userId, keyId: `ed25519:${deviceId}`, seed: other.seed }, ed);
  await clientFor({ baseUrl: account.user.baseUrl, accessToken: login.accessToken }).request('POST', v3('keys', 'upload'), { body: { device_keys: signed } });
  const device: FixtureDevice = { deviceId, accessToken: login.accessToken, ed25519, curve25519 };
  account.devices.push(device);
  return device;
}

/** A healthy account plus one session with a bad self-signature. */
export async function badSelfSignatureAccount(hs: SynapseInfo): Promise<{ account: FixtureAccount; bad: FixtureDevice }> {
  const account = await buildAccount(hs, 'healthy', { devices: 2 });
  return { account, bad: await withBadSelfSignature(hs, account) };
}
