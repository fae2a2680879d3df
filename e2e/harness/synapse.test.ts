// Run: node --import tsx --test e2e/harness/synapse.test.ts

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { checkHomeserver } from "../../src/core/matrix/discovery.ts";
import { startSynapse } from "./synapse.ts";
import type { SynapseHandle } from "./synapse.ts";
import { createDevices, loginDevice, registerUser, whoami } from "./users.ts";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function failedLogin(baseUrl: string, localpart: string): Promise<Response> {
  return fetch(`${baseUrl}/_matrix/client/v3/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      type: "m.login.password",
      identifier: { type: "m.id.user", user: localpart },
      password: "definitely-wrong",
    }),
  });
}

describe("real Synapse harness", () => {
  let hs: SynapseHandle;
  let limited: SynapseHandle;

  before(async () => {
    // Both servers start in parallel to keep the run short.
    [hs, limited] = await Promise.all([startSynapse(), startSynapse({ rateLimited: true })]);
  });

  after(async () => {
    await Promise.all([hs?.stop(), limited?.stop()]);
  });

  it("becomes ready in under 15 s", (t) => {
    t.diagnostic(`synapse startupMs: relaxed=${hs.startupMs} rateLimited=${limited.startupMs}`);
    assert.ok(hs.startupMs < 15_000, `startup took ${hs.startupMs} ms`);
    assert.ok(limited.startupMs < 15_000, `startup took ${limited.startupMs} ms`);
    assert.equal(hs.serverName, `localhost:${hs.port}`);
    assert.match(hs.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("registers a user, logs in a second device, whoami matches each token", async () => {
    const user = await registerUser(hs);
    assert.equal(user.userId, `@${user.localpart}:${hs.serverName}`);
    const second = await loginDevice(hs, user, { displayName: "second" });
    assert.notEqual(second.deviceId, user.deviceId);

    const first = await whoami(hs.baseUrl, user.accessToken);
    assert.equal(first.user_id, user.userId);
    assert.equal(first.device_id, user.deviceId);
    const other = await whoami(hs.baseUrl, second.accessToken);
    assert.equal(other.user_id, user.userId);
    assert.equal(other.device_id, second.deviceId);
  });

  it("serves its client well-known, so a user ID's server name is proven to be its base URL", async () => {
    const res = await fetch(`http://${hs.serverName}/.well-known/matrix/client`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    assert.deepEqual(((await res.json()) as { "m.homeserver": unknown })["m.homeserver"], { base_url: `${hs.baseUrl}/` });
    const user = await registerUser(hs);
    const verdict = await checkHomeserver(user.userId, hs.baseUrl, { fetch });
    assert.deepEqual(verdict, { verdict: "proven", serverNameHost: hs.serverName, baseUrlHost: new URL(hs.baseUrl).host, insecure: false });
  });

  it("honours a requested device ID at registration", async () => {
    const user = await registerUser(hs, { deviceId: "E2EFIXED" });
    assert.equal(user.deviceId, "E2EFIXED");
    assert.equal((await whoami(hs.baseUrl, user.accessToken)).device_id, "E2EFIXED");
  });

  it("answers extension-origin requests with Access-Control-Allow-Origin: *", async () => {
    const res = await fetch(`${hs.baseUrl}/_matrix/client/versions`, { headers: { Origin: "chrome-extension://x" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    const preflight = await fetch(`${hs.baseUrl}/_matrix/client/v3/keys/device_signing/upload`, {
      method: "OPTIONS",
      headers: {
        Origin: "chrome-extension://x",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
      },
    });
    assert.ok(preflight.status < 300, `preflight status ${preflight.status}`);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
    assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /authorization/i);
  });

  it("relaxed server: rapid failed logins are never rate limited", async () => {
    const user = await registerUser(hs);
    const statuses = await Promise.all(Array.from({ length: 10 }, () => failedLogin(hs.baseUrl, user.localpart)));
    assert.deepEqual(
      statuses.map((r) => r.status),
      Array(10).fill(403),
    );
  });

  it("rate-limited server: rapid failed logins reach 429 M_LIMIT_EXCEEDED with retry_after_ms", async () => {
    const user = await registerUser(limited);
    let limitedBody: { errcode?: string; retry_after_ms?: number } | undefined;
    for (let i = 0; i < 10 && !limitedBody; i++) {
      const res = await failedLogin(limited.baseUrl, user.localpart);
      const body = (await res.json()) as { errcode?: string; retry_after_ms?: number };
      if (res.status === 429) limitedBody = body;
      else assert.equal(res.status, 403);
    }
    assert.ok(limitedBody, "no 429 within 10 failed logins");
    assert.equal(limitedBody.errcode, "M_LIMIT_EXCEEDED");
    assert.equal(typeof limitedBody.retry_after_ms, "number");
    assert.ok((limitedBody.retry_after_ms ?? 0) > 0);
  });

  it("creates 50 and 1000 devices quickly (XSIGN_DEVICE_BENCH=1)", { skip: process.env.XSIGN_DEVICE_BENCH !== "1" }, async (t) => {
    for (const count of [50, 1000]) {
      const user = await registerUser(hs);
      const t0 = performance.now();
      const devices = await createDevices(hs, user, count);
      const ms = Math.round(performance.now() - t0);
      t.diagnostic(`createDevices(${count}): ${ms} ms`);
      assert.equal(new Set(devices.map((d) => d.deviceId)).size, count);
      const last = devices[count - 1];
      assert.ok(last);
      assert.equal((await whoami(hs.baseUrl, last.accessToken)).device_id, last.deviceId);
    }
  });

  it("stop() terminates the process and removes the data dir", async () => {
    const { pid, dataDir } = hs;
    assert.ok(isAlive(pid));
    await hs.stop();
    assert.equal(isAlive(pid), false, `synapse pid ${pid} still alive`);
    if (process.env.XSIGN_KEEP_SYNAPSE !== "1") assert.equal(existsSync(dataDir), false);
    await assert.rejects(fetch(`${hs.baseUrl}/_matrix/client/versions`));
    await hs.stop(); // idempotent
  });
});
