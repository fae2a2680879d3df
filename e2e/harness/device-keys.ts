// Device keys for identity fixtures: upload self-signed device keys (/keys/upload), read them back
// raw (/keys/query) and cross-sign them with the self-signing key (/keys/signatures/upload).
import { randomBytes } from 'node:crypto';
import { encodeBase64, signJson, v3, type Ed25519, type wire } from '../../src/core/index.ts';
import {
  clientFor, fixtureEd25519, generateKeyPair, withoutUnsigned,
  type FixtureDevice, type KeyPair, type Session,
} from './fixture-common.ts';
import type { DeviceLogin, TestUser } from './users.ts';

export const DEVICE_ALGORITHMS = ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'];

/**
 * Upload device keys for one logged-in device: a fresh ed25519 key, a random curve25519 "public
 * key" (32 random bytes; nothing here does Olm) and the device's self-signature
 * (`signatures[user]["ed25519:<device_id>"]`). Uses the device's own access token, since Synapse
 * only accepts keys for the requesting device.
 */
export async function uploadDeviceKeys(
  user: Pick<TestUser, 'baseUrl' | 'userId'>,
  device: DeviceLogin,
  opts: { ed?: Ed25519 } = {},
): Promise<FixtureDevice> {
  const ed = opts.ed ?? (await fixtureEd25519());
  const ed25519 = await generateKeyPair(ed);
  const curve25519 = encodeBase64(randomBytes(32));
  const { deviceId } = device;
  const deviceKeys: wire.DeviceKeys = {
    user_id: user.userId,
    device_id: deviceId,
    algorithms: [...DEVICE_ALGORITHMS],
    keys: { [`ed25519:${deviceId}`]: ed25519.publicKey, [`curve25519:${deviceId}`]: curve25519 },
    signatures: {},
  };
  const { signatures: _none, ...unsignedKeys } = deviceKeys;
  const signed = await signJson(unsignedKeys, { entity: user.userId, keyId: `ed25519:${deviceId}`, seed: ed25519.seed }, ed);
  await clientFor({ baseUrl: user.baseUrl, accessToken: device.accessToken })
    .request('POST', v3('keys', 'upload'), { body: { device_keys: signed } });
  return { deviceId, accessToken: device.accessToken, ed25519, curve25519 };
}

/** Raw POST /keys/query for the session's own user (all devices), exactly as the server sent it. */
export async function queryOwnKeys(session: Session): Promise<wire.KeysQueryResponse> {
  return (await clientFor(session).request('POST', v3('keys', 'query'), {
    body: { device_keys: { [session.userId]: [] } },
  })) as wire.KeysQueryResponse;
}

export type CrossSignDevicesOptions = {
  /** Devices to sign with the self-signing key; default every device /keys/query returns. */
  deviceIds?: readonly string[];
  /** Also add this device's signature to the published master key (what SDKs do on setup). */
  signMasterWith?: FixtureDevice;
  /** Entries per /keys/signatures/upload request. Default 250. */
  chunkSize?: number;
  ed?: Ed25519;
};

/**
 * Cross-sign devices: each device object exactly as /keys/query returned it, minus `unsigned`,
 * plus `signatures[user]["ed25519:<SSK pub>"]`, uploaded through /keys/signatures/upload.
 * Optionally the master key (bare, as queried) signed by a device. Throws if the server reports
 * any failure or a requested device is unknown.
 * @returns The device IDs that were signed.
 */
export async function crossSignDevices(
  session: Session,
  keys: { selfSigning: KeyPair },
  opts: CrossSignDevicesOptions = {},
): Promise<string[]> {
  const ed = opts.ed ?? (await fixtureEd25519());
  const query = await queryOwnKeys(session);
  const me = session.userId;
  const all = query.device_keys?.[me] ?? {};
  const wanted = opts.deviceIds ?? Object.keys(all);
  const entries: [string, Record<string, unknown>][] = [];
  for (const deviceId of wanted) {
    const device = all[deviceId];
    if (!device) throw new Error(`crossSignDevices: /keys/query has no device ${deviceId}`);
    const signer = { entity: me, keyId: `ed25519:${keys.selfSigning.publicKey}`, seed: keys.selfSigning.seed };
    entries.push([deviceId, await signJson(withoutUnsigned(device), signer, ed)]);
  }
  if (opts.signMasterWith) {
    const master = query.master_keys?.[me];
    if (!master) throw new Error('crossSignDevices: no master key published to sign');
    const { signatures: _existing, ...bare } = withoutUnsigned(master);
    const device = opts.signMasterWith;
    const signed = await signJson(bare, { entity: me, keyId: `ed25519:${device.deviceId}`, seed: device.ed25519.seed }, ed);
    const masterPub = Object.values(master.keys)[0];
    if (!masterPub) throw new Error('crossSignDevices: published master key has no key');
    entries.push([masterPub, signed]);
  }
  const client = clientFor(session);
  const chunkSize = opts.chunkSize ?? 250;
  for (let i = 0; i < entries.length; i += chunkSize) {
    const body = { [me]: Object.fromEntries(entries.slice(i, i + chunkSize)) } as wire.SignaturesUploadRequest;
    const res = (await client.request('POST', v3('keys', 'signatures', 'upload'), { body })) as wire.SignaturesUploadResponse;
    if (res.failures && Object.keys(res.failures).length > 0) {
      throw new Error(`crossSignDevices: signatures/upload failures: ${JSON.stringify(res.failures)}`);
    }
  }
  return [...wanted];
}
