// Create users and logged-in devices on a test Synapse through real HTTP APIs.
// Independent of the project's core: global fetch + node:crypto only.

import { createHmac, randomBytes } from "node:crypto";
import { registerSecret } from "./secrets-registry.ts";
import type { SynapseHandle } from "./synapse.ts";

export type TestUser = {
  userId: string;
  localpart: string;
  password: string;
  accessToken: string;
  deviceId: string;
  baseUrl: string;
};

export type DeviceLogin = { accessToken: string; deviceId: string };

export type RegisterUserOptions = {
  localpart?: string;
  password?: string;
  admin?: boolean;
  /** Device ID of the returned access token (registration device is then logged out). */
  deviceId?: string;
};

type HsLike = Pick<SynapseHandle, "baseUrl" | "registrationSharedSecret">;

let counter = 0;

/** Random, unique, lowercase localpart. */
export function uniqueLocalpart(prefix = "u"): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${process.pid.toString(36)}${counter.toString(36)}${randomBytes(3).toString("hex")}`;
}

/** JSON request to Synapse; throws with status and body on a non-2xx answer. */
export async function callJson<T>(
  baseUrl: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** HMAC-SHA1 over nonce\0user\0password\0(admin|notadmin), hex (Synapse shared-secret registration). */
export function registrationMac(secret: string, nonce: string, user: string, password: string, admin: boolean): string {
  return createHmac("sha1", secret)
    .update([nonce, user, password, admin ? "admin" : "notadmin"].join("\0"), "utf8")
    .digest("hex");
}

/** Register a user with the shared-secret admin registration API. */
export async function registerUser(hs: HsLike, opts: RegisterUserOptions = {}): Promise<TestUser> {
  const localpart = opts.localpart ?? uniqueLocalpart();
  const password = opts.password ?? `pw-${randomBytes(12).toString("hex")}`;
  const admin = opts.admin === true;
  const { nonce } = await callJson<{ nonce: string }>(hs.baseUrl, "GET", "/_synapse/admin/v1/register");
  const reg = await callJson<{ user_id: string; access_token: string; device_id: string }>(
    hs.baseUrl,
    "POST",
    "/_synapse/admin/v1/register",
    {
      body: {
        nonce,
        username: localpart,
        password,
        admin,
        mac: registrationMac(hs.registrationSharedSecret, nonce, localpart, password, admin),
      },
    },
  );
  // Registered for the leak watch before anything can hand them to a browser.
  registerSecret("password", password, `password of ${reg.user_id}`, hs.baseUrl);
  registerSecret("access-token", reg.access_token, `access token of ${reg.user_id} ${reg.device_id}`, hs.baseUrl);
  const user: TestUser = {
    userId: reg.user_id,
    localpart,
    password,
    accessToken: reg.access_token,
    deviceId: reg.device_id,
    baseUrl: hs.baseUrl,
  };
  if (opts.deviceId === undefined || opts.deviceId === reg.device_id) return user;
  // Swap the registration device for one with the requested ID; /logout deletes the old device.
  const login = await loginDevice(hs, user, { deviceId: opts.deviceId });
  await callJson(hs.baseUrl, "POST", "/_matrix/client/v3/logout", { token: reg.access_token, body: {} });
  return { ...user, ...login };
}

/** Log in a new (or given) device with m.login.password. */
export async function loginDevice(
  hs: Pick<SynapseHandle, "baseUrl">,
  user: Pick<TestUser, "localpart" | "password">,
  opts: { deviceId?: string; displayName?: string } = {},
): Promise<DeviceLogin> {
  const body: Record<string, unknown> = {
    type: "m.login.password",
    identifier: { type: "m.id.user", user: user.localpart },
    password: user.password,
  };
  if (opts.deviceId !== undefined) body.device_id = opts.deviceId;
  if (opts.displayName !== undefined) body.initial_device_display_name = opts.displayName;
  const res = await callJson<{ access_token: string; device_id: string }>(
    hs.baseUrl,
    "POST",
    "/_matrix/client/v3/login",
    { body },
  );
  registerSecret("access-token", res.access_token, `access token of ${user.localpart} ${res.device_id}`, hs.baseUrl);
  return { accessToken: res.access_token, deviceId: res.device_id };
}

/**
 * Log in `count` extra devices with bounded concurrency (default 16).
 * Results are in creation-index order; display names are "e2e device <i>".
 */
export async function createDevices(
  hs: Pick<SynapseHandle, "baseUrl">,
  user: Pick<TestUser, "localpart" | "password">,
  count: number,
  opts: { concurrency?: number; displayNamePrefix?: string } = {},
): Promise<DeviceLogin[]> {
  const out = new Array<DeviceLogin>(count);
  const prefix = opts.displayNamePrefix ?? "e2e device";
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      out[i] = await loginDevice(hs, user, { displayName: `${prefix} ${i}` });
    }
  };
  const workers = Math.max(1, Math.min(opts.concurrency ?? 16, count));
  await Promise.all(Array.from({ length: workers }, worker));
  return out;
}

/** GET /account/whoami. */
export function whoami(baseUrl: string, token: string): Promise<{ user_id: string; device_id?: string }> {
  return callJson(baseUrl, "GET", "/_matrix/client/v3/account/whoami", { token });
}
