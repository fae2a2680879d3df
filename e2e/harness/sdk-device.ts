/**
 * matrix-js-sdk 43 with its Rust crypto as the judge of what the doctor wrote: a NEW device of the
 * account, logged in on the test's Synapse, given the recovery key the way a person types it into
 * Element's "Verify with recovery key", then asked what a real client concludes
 * (docs/interop.md#sdk-judge).
 *
 * API — each call logs in its own device, runs the SDK in a Node process of its own
 * (sdk-device-child.ts: the SDK leaves timers running after stopClient), and logs the device out
 * again, which deletes it and its keys, so the account's device list is unchanged afterwards:
 *
 *   sdkCheck(hs, user, { recoveryKey?, devices?, users? }) → SdkVerdict
 *     ownIdentityVerified  getUserVerificationStatus(me).isCrossSigningVerified() after
 *                          bootstrapCrossSigning imported the cross-signing keys from secret storage
 *                          (what Element does). The SDK is never let create or replace keys.
 *     devices[id]          getDeviceVerificationStatus(me, id): { crossSigningVerified, signedByOwner },
 *                          null when the SDK does not know the device.
 *     backup               checkKeyBackupAndEnable(): { version, trusted, matchesDecryptionKey } after
 *                          loadSessionBackupPrivateKeyFromSecretStorage; null without a backup.
 *     users[u]             getUserVerificationStatus(u).isCrossSigningVerified() for other users.
 *     secretStorageReady   isSecretStorageReady(): the default key holds every secret.
 *     steps                the "verify with recovery key" steps in words, for assertion messages.
 *   bootstrapLikeElement(hs, user, { passphrase?, logout? }) → { recoveryKey, deviceId, accessToken, backupVersion }
 *     an identity made the way Element's "Set up secure backup" makes it: bootstrapCrossSigning
 *     (password UIA when Synapse asks) then bootstrapSecretStorage({ createSecretStorageKey,
 *     setupNewSecretStorage, setupNewKeyBackup }). Its device stays logged in (one of the
 *     account's sessions, cross-signed) unless `logout: true`.
 *
 * Failures (the SDK throwing, the process dying, no answer within `timeoutMs`) reject with the
 * error and the tail of the SDK's log.
 */
import { spawn } from 'node:child_process';
import { registerSecret } from './secrets-registry.ts';
import { callJson, loginDevice, type DeviceLogin, type TestUser } from './users.ts';

const CHILD = new URL('./sdk-device-child.ts', import.meta.url).pathname;

/** Who the SDK logs in as: a password login makes it a new device of the account. */
export type SdkUser = Pick<TestUser, 'userId' | 'localpart' | 'password'>;
type Hs = { baseUrl: string };

/** What the SDK device concludes about the account. */
export interface SdkVerdict {
  deviceId: string;
  ownIdentityVerified: boolean;
  devices: Record<string, { crossSigningVerified: boolean; signedByOwner: boolean } | null>;
  backup: { version: string; trusted: boolean; matchesDecryptionKey: boolean } | null;
  users: Record<string, boolean>;
  secretStorageReady: boolean;
  steps: string[];
}

export interface SdkCheckOptions {
  /** The recovery key as printed (the SDK decodes and checks it itself). Without it nothing is imported. */
  recoveryKey?: string;
  /** Own device IDs to ask about. */
  devices?: readonly string[];
  /** Other users to ask about. */
  users?: readonly string[];
  timeoutMs?: number;
}

export interface ElementIdentity {
  /** The recovery key as Element shows it (registered with the leak watch). */
  recoveryKey: string;
  /** The device that bootstrapped: cross-signed by the new identity. */
  deviceId: string;
  accessToken: string;
  backupVersion: string | null;
}

/** @internal the child's input and bootstrap answer. */
export type ChildInput = {
  op: 'check' | 'bootstrap';
  baseUrl: string;
  userId: string;
  deviceId: string;
  accessToken: string;
  recoveryKey?: string;
  devices?: readonly string[];
  users?: readonly string[];
  passphrase?: string;
  password?: string;
};
export type ElementIdentityAnswer = { recoveryKey: string; backupVersion: string | null };

const LOG_TAIL_LINES = 40;

/** Run the child on `input`; resolves with its result, rejects with its error and log tail. */
function runChild<T>(input: ChildInput, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    let log = '';
    let answer = '';
    child.stdout!.on('data', (d: Buffer) => { log += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => { answer += d.toString(); });
    const tail = () => log.trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      let parsed: { ok: true; result: T } | { ok: false; error: string; stack?: string } | undefined;
      try { parsed = answer ? JSON.parse(answer) : undefined; } catch { parsed = undefined; }
      if (parsed?.ok === true) resolve(parsed.result);
      else if (parsed?.ok === false) reject(new Error(`matrix-js-sdk ${input.op}: ${parsed.error}\n${parsed.stack ?? ''}\n--- SDK log ---\n${tail()}`));
      else reject(new Error(`matrix-js-sdk ${input.op}: the process ended (${signal ?? `exit ${code}`}${signal === 'SIGKILL' ? `, killed after ${timeoutMs} ms` : ''}) without an answer\n--- SDK log ---\n${tail()}`));
    });
    child.stdin!.end(JSON.stringify(input));
  });
}

const logout = (hs: Hs, login: DeviceLogin) =>
  callJson(hs.baseUrl, 'POST', '/_matrix/client/v3/logout', { token: login.accessToken, body: {} }).catch(() => {});

/** A fresh SDK device's verdict on the account (see the API above). */
export async function sdkCheck(hs: Hs, user: SdkUser, opts: SdkCheckOptions = {}): Promise<SdkVerdict> {
  const login = await loginDevice(hs, user, { displayName: 'matrix-js-sdk interop check' });
  try {
    return await runChild<SdkVerdict>({
      op: 'check', baseUrl: hs.baseUrl, userId: user.userId, deviceId: login.deviceId, accessToken: login.accessToken,
      ...(opts.recoveryKey === undefined ? {} : { recoveryKey: opts.recoveryKey }),
      ...(opts.devices === undefined ? {} : { devices: opts.devices }),
      ...(opts.users === undefined ? {} : { users: opts.users }),
    }, opts.timeoutMs ?? 120_000);
  } finally {
    await logout(hs, login);
  }
}

/** Give the account a new identity with the SDK's own code, the way Element does (see the API above). */
export async function bootstrapLikeElement(
  hs: Hs,
  user: SdkUser,
  opts: { passphrase?: string; logout?: boolean; timeoutMs?: number } = {},
): Promise<ElementIdentity> {
  const login = await loginDevice(hs, user, { displayName: 'matrix-js-sdk (Element-style bootstrap)' });
  try {
    const answer = await runChild<ElementIdentityAnswer>({
      op: 'bootstrap', baseUrl: hs.baseUrl, userId: user.userId, deviceId: login.deviceId, accessToken: login.accessToken,
      password: user.password, ...(opts.passphrase === undefined ? {} : { passphrase: opts.passphrase }),
    }, opts.timeoutMs ?? 120_000);
    registerSecret('recovery-key', answer.recoveryKey, `recovery key made by matrix-js-sdk for ${user.userId}`);
    return { ...answer, deviceId: login.deviceId, accessToken: login.accessToken };
  } finally {
    if (opts.logout === true) await logout(hs, login);
  }
}
