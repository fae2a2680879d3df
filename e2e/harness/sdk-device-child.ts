/**
 * The matrix-js-sdk side of e2e/harness/sdk-device.ts, run in a Node process of its own: matrix-js-sdk
 * 43's request timers (a referenced 60 s timeout per crypto request, the backup upload loop's sleep)
 * outlive stopClient(), so the SDK gets a process that exits when its answer is written, and its
 * logging stays out of the test output unless the check fails.
 *
 * Input: one JSON object on stdin (an access token and the recovery key never go on a command
 * line). Output: one JSON object on file descriptor 3 — { ok: true, result } or { ok: false, error }.
 */
import { readFileSync, writeSync } from 'node:fs';
import type { MatrixClient } from 'matrix-js-sdk';
import type { CryptoApi } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { ChildInput, ElementIdentityAnswer, SdkVerdict } from './sdk-device.ts';

if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  // The ES2024 definition, for Node 20 (matrix-js-sdk 43 declares engines.node >= 22).
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor) {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((a, b) => { resolve = a; reject = b; });
      return { promise, resolve, reject };
    },
  });
}

const CROSS_SIGNING_SECRETS = ['m.cross_signing.master', 'm.cross_signing.self_signing', 'm.cross_signing.user_signing'] as const;
const errorText = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

// Loaded after the polyfill: a static import would evaluate the SDK first.
const sdk = await import('matrix-js-sdk');
const { decodeRecoveryKey } = await import('matrix-js-sdk/lib/crypto-api/index.js');

const input = JSON.parse(readFileSync(0, 'utf8')) as ChildInput;

/**
 * Send what the OlmMachine has queued (its device keys, /keys/query for tracked users). A sync
 * loop does this after every sync; no sync loop runs here. The member is private in the SDK's
 * types; bench/sdk-cold-start.mjs relies on the same one.
 */
async function flush(crypto: CryptoApi): Promise<void> {
  const outgoing = (crypto as unknown as { outgoingRequestsManager?: { doProcessOutgoingRequests(): Promise<void> } }).outgoingRequestsManager;
  if (typeof outgoing?.doProcessOutgoingRequests !== 'function') throw new Error('this matrix-js-sdk has no outgoingRequestsManager.doProcessOutgoingRequests');
  await outgoing.doProcessOutgoingRequests();
}

/**
 * "Verify with recovery key" as Element runs it: the three cross-signing private keys read from
 * secret storage (decrypted by the SDK's own code) and imported by bootstrapCrossSigning, which
 * also cross-signs this device; then the backup key loaded. Never lets the SDK create or replace
 * keys: without all three private keys in secret storage bootstrapCrossSigning is not called (it
 * would make new ones), and its upload callback refuses.
 */
async function verifyWithRecoveryKey(client: MatrixClient, crypto: CryptoApi): Promise<string[]> {
  const steps: string[] = [];
  const missing: string[] = [];
  for (const name of CROSS_SIGNING_SECRETS) {
    try {
      if ((await client.secretStorage.get(name)) === undefined) missing.push(`${name} (not stored)`);
    } catch (error) {
      missing.push(`${name} (${errorText(error)})`);
    }
  }
  if (missing.length > 0) {
    steps.push(`cross-signing keys not imported: secret storage does not give ${missing.join(', ')}`);
  } else {
    try {
      await crypto.bootstrapCrossSigning({
        authUploadDeviceSigningKeys: async () => { throw new Error('the interop check refuses to let the SDK upload cross-signing keys'); },
      });
      steps.push('cross-signing keys imported from secret storage');
    } catch (error) {
      steps.push(`bootstrapCrossSigning failed: ${errorText(error)}`);
    }
  }
  try {
    await crypto.loadSessionBackupPrivateKeyFromSecretStorage();
    steps.push('backup key loaded from secret storage');
  } catch (error) {
    steps.push(`backup key not loaded: ${errorText(error)}`);
  }
  await flush(crypto);
  return steps;
}

async function check(): Promise<SdkVerdict> {
  const recoveryKey = input.recoveryKey === undefined ? undefined : decodeRecoveryKey(input.recoveryKey);
  const client: MatrixClient = sdk.createClient({
    baseUrl: input.baseUrl, accessToken: input.accessToken, userId: input.userId, deviceId: input.deviceId,
    cryptoCallbacks: {
      // Offer the recovery key for whichever of the secret's keys the SDK's own key check accepts.
      getSecretStorageKey: async ({ keys }) => {
        if (recoveryKey === undefined) return null;
        for (const [keyId, info] of Object.entries(keys)) {
          if (await client.secretStorage.checkKey(recoveryKey, info)) return [keyId, recoveryKey];
        }
        return null;
      },
    },
  });
  try {
    await client.initRustCrypto({ useIndexedDB: false });
    const crypto = client.getCrypto();
    if (!crypto) throw new Error('client.getCrypto() is undefined after initRustCrypto');
    await flush(crypto);
    const steps = recoveryKey === undefined ? ['no recovery key given'] : await verifyWithRecoveryKey(client, crypto);
    const me = input.userId;
    // Other users' identities reach the OlmMachine only for tracked users (a sync loop tracks the
    // members of encrypted rooms); getUserDeviceInfo(…, true) alone fetches devices without them.
    if (input.users !== undefined && input.users.length > 0) {
      const wasm = await import('@matrix-org/matrix-sdk-crypto-wasm');
      const olm = (crypto as unknown as { olmMachine?: { updateTrackedUsers(users: unknown[]): Promise<void> } }).olmMachine;
      if (typeof olm?.updateTrackedUsers !== 'function') throw new Error('this matrix-js-sdk has no olmMachine.updateTrackedUsers');
      await olm.updateTrackedUsers(input.users.map((u) => new wasm.UserId(u)));
      await flush(crypto);
    }
    await crypto.getUserDeviceInfo([me, ...(input.users ?? [])], true);
    const ownIdentityVerified = (await crypto.getUserVerificationStatus(me)).isCrossSigningVerified();
    const devices: SdkVerdict['devices'] = {};
    for (const id of input.devices ?? []) {
      const status = await crypto.getDeviceVerificationStatus(me, id);
      devices[id] = status === null ? null : { crossSigningVerified: status.crossSigningVerified, signedByOwner: status.signedByOwner };
    }
    const users: Record<string, boolean> = {};
    for (const u of input.users ?? []) users[u] = (await crypto.getUserVerificationStatus(u)).isCrossSigningVerified();
    const backupCheck = await crypto.checkKeyBackupAndEnable();
    const version = backupCheck?.backupInfo?.version;
    const backup = backupCheck === null || version === undefined ? null
      : { version, trusted: backupCheck.trustInfo.trusted, matchesDecryptionKey: backupCheck.trustInfo.matchesDecryptionKey };
    const secretStorageReady = await crypto.isSecretStorageReady();
    return { deviceId: input.deviceId, ownIdentityVerified, devices, backup, users, secretStorageReady, steps };
  } finally {
    client.stopClient();
  }
}

async function bootstrap(): Promise<ElementIdentityAnswer> {
  // Element keeps the new key while it sets up (cacheSecretStorageKey) and hands it back on request.
  const cached = new Map<string, Uint8Array<ArrayBuffer>>();
  const client: MatrixClient = sdk.createClient({
    baseUrl: input.baseUrl, accessToken: input.accessToken, userId: input.userId, deviceId: input.deviceId,
    cryptoCallbacks: {
      cacheSecretStorageKey: (keyId, _info, key) => { cached.set(keyId, new Uint8Array(key)); },
      getSecretStorageKey: async ({ keys }) => {
        for (const keyId of Object.keys(keys)) {
          const key = cached.get(keyId);
          if (key) return [keyId, key];
        }
        return null;
      },
    },
  });
  try {
    await client.initRustCrypto({ useIndexedDB: false });
    const crypto = client.getCrypto()!;
    await flush(crypto);
    await crypto.bootstrapCrossSigning({
      // Element: first without auth, then the password stage with the session Synapse gave.
      authUploadDeviceSigningKeys: async (makeRequest) => {
        try {
          await makeRequest(null);
        } catch (error) {
          const session = (error as { data?: { session?: string } }).data?.session;
          if (session === undefined || input.password === undefined) throw error;
          await makeRequest({ type: 'm.login.password', identifier: { type: 'm.id.user', user: input.userId }, password: input.password, session });
        }
      },
    });
    let recoveryKey: string | undefined;
    await crypto.bootstrapSecretStorage({
      setupNewSecretStorage: true,
      setupNewKeyBackup: true,
      createSecretStorageKey: async () => {
        const generated = await crypto.createRecoveryKeyFromPassphrase(input.passphrase);
        recoveryKey = generated.encodedPrivateKey;
        return generated;
      },
    });
    if (recoveryKey === undefined) throw new Error('bootstrapSecretStorage created no secret-storage key');
    await flush(crypto);
    const info = await crypto.getKeyBackupInfo();
    return { recoveryKey, backupVersion: info?.version ?? null };
  } finally {
    client.stopClient();
  }
}

let answer: unknown;
try {
  answer = { ok: true, result: input.op === 'bootstrap' ? await bootstrap() : await check() };
} catch (error) {
  answer = { ok: false, error: errorText(error), stack: error instanceof Error ? error.stack : undefined };
}
writeSync(3, JSON.stringify(answer));
process.exit(0);
