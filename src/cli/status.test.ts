import { tmpdir } from 'node:os';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { encodeRecoveryKey } from '../core/recovery-key.ts';
import { sendJson, startFakeHomeserver, type FakeHomeserver, type Handler } from '../core/matrix/fake-homeserver.test.ts';
import { deviceKeys, DEVICES, healthyView, KEYS_A, RECOVERY_KEY, seed, serveView, USER, type ServerView } from '../core/inspect/fixture.test.ts';
import { UsageError } from './args.ts';
import { runStatus } from './status.ts';

let hs: FakeHomeserver;
before(async () => { hs = await startFakeHomeserver(); });
after(() => hs.close());

/**
 * What https://example.org/.well-known/matrix/client (the fixture user's server name) names; no
 * request leaves the machine. Default: the fake homeserver, so the account's homeserver is proven.
 */
let wellKnownBaseUrl: (() => string) | undefined;
const wellKnownAsked: string[] = [];
const withWellKnown = (async (input: RequestInfo | URL, init?: RequestInit) => {
  const url = new URL(String(input));
  if (url.pathname === '/.well-known/matrix/client') {
    wellKnownAsked.push(`${url.origin}${new Headers(init?.headers).has('authorization') ? ' WITH A TOKEN' : ''}`);
    return new Response(JSON.stringify({ 'm.homeserver': { base_url: (wellKnownBaseUrl ?? (() => hs.url))() } }), { status: 200 });
  }
  return fetch(input, init);
}) as typeof fetch;

async function run(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runStatus(argv, {
    env: { XSIGN_TOKEN: 'tok_123', ...env }, fetch: withWellKnown, out: (t) => out.push(t), err: (t) => err.push(t),
    now: () => new Date('2026-01-02T03:04:05Z'),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function unsignedDevices(view: ServerView): Promise<void> {
  const devices: Record<string, unknown> = {};
  for (const [id, s] of Object.entries(DEVICES)) devices[id] = await deviceKeys(id, s);
  view.keysQuery.device_keys = { [USER]: devices };
}

/**
 * `inner`, except that the answer to the request `held` names waits until a request `awaited`
 * names has arrived (or 3 s have passed): `overlapped()` then says whether the second was sent
 * while the first was unanswered, which is what the CLI's overlapping waves promise.
 */
function holdUntil(inner: Handler, held: (path: string) => boolean, awaited: (path: string) => boolean) {
  let seen = false;
  let overlapped = false;
  const handler: Handler = (req, res, raw) => {
    if (awaited(req.path)) seen = true;
    if (!held(req.path)) return inner(req, res, raw);
    const started = Date.now();
    const wait = () => {
      if (seen) overlapped = true;
      if (seen || Date.now() - started > 3000) inner(req, res, raw);
      else setTimeout(wait, 5);
    };
    wait();
  };
  return { handler, overlapped: () => overlapped };
}

describe('xsign-doctor status', () => {
  it('healthy: exit 0 and readable sections', async () => {
    hs.handle(serveView(await healthyView()));
    const r = await run(['--homeserver', hs.url]);
    assert.equal(r.code, 0, r.err);
    for (const section of ['IDENTITY', 'DEVICES (2)', 'SECRET STORAGE', 'KEY BACKUP', 'VERDICT']) assert.ok(r.out.includes(section), section);
    assert.match(r.out, /Healthy: no problems found/);
    assert.match(r.out, /DEVICEONE \[this device\]/);
    assert.ok(!r.out.includes('tok_123'));
    assert.ok(hs.requests.every((q) => q.headers.authorization === 'Bearer tok_123'));
  });

  it('--json with the recovery key from XSIGN_RECOVERY_KEY', async () => {
    hs.handle(serveView(await healthyView()));
    const r = await run(['--homeserver', hs.url, '--json'], { XSIGN_RECOVERY_KEY: RECOVERY_KEY });
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as { healthy: boolean; problems: unknown[]; secretStorage: { keyCheck: string } };
    assert.equal(report.healthy, true);
    assert.deepEqual(report.problems, []);
    assert.equal(report.secretStorage.keyCheck, 'ok');
  });

  it('problems: exit 1, codes in JSON, each with its repair in the text', async () => {
    const view = await healthyView();
    await unsignedDevices(view);
    hs.handle(serveView(view));
    const json = await run(['--homeserver', hs.url, '--json']);
    assert.equal(json.code, 1);
    const report = JSON.parse(json.out) as { healthy: boolean; problems: { code: string; message: string; repair?: string }[] };
    assert.equal(report.healthy, false);
    assert.deepEqual(report.problems.map((p) => p.code), ['device-not-cross-signed', 'device-not-cross-signed']);
    assert.ok(report.problems.every((p) => typeof p.message === 'string' && p.repair === 'sign-devices'));
    // Every problem names its root cause; the text shows the two as ONE cause with both subjects.
    assert.ok((report.problems as { cause?: string }[]).every((p) => p.cause === 'sessions-unsigned'));
    const text = await run(['--homeserver', hs.url]);
    assert.equal(text.code, 1);
    assert.match(text.out, /2 problems found, 1 cause:/);
    assert.match(text.out, /✗ 2 sessions are not cross-signed {2}→ sign-devices\n {6}subjects: DEVICE\w+, DEVICE\w+/);
    assert.match(text.out, /xsign-doctor fix/);
    assert.match(text.out, /\[device-not-cross-signed\] Device "DEVICETWO"/);
    assert.match(text.out, /repair: sign-devices/);
  });

  it('a session whose keys cannot be trusted: the text says fix never signs it out (docs/design.md#fix-no-sign-out)', async () => {
    const view = await healthyView();
    const bad = await deviceKeys('DEVICEBAD', seed(25), KEYS_A.ssk);
    (bad.signatures as Record<string, Record<string, string>>)[USER]!['ed25519:DEVICEBAD'] = 'A'.repeat(86);
    ((view.keysQuery.device_keys as Record<string, Record<string, unknown>>)[USER]!).DEVICEBAD = bad;
    hs.handle(serveView(view));
    const text = await run(['--homeserver', hs.url]);
    assert.equal(text.code, 1);
    assert.match(text.out, /→ sign-out-device/);
    assert.match(text.out, /xsign-doctor fix .*\n {21}never signs sessions out: run sign-out-device/);
  });

  it('a --homeserver that is not the user ID\u2019s homeserver: a warning naming both hosts on stderr, and the report still runs', async () => {
    hs.handle(serveView(await healthyView()));
    wellKnownAsked.length = 0;
    const proven = await run(['--homeserver', hs.url]);
    assert.equal(proven.code, 0);
    assert.equal(proven.err, '');
    assert.deepEqual(wellKnownAsked, ['https://example.org'], 'asked the server name, without the token');
    wellKnownBaseUrl = () => 'https://matrix.example.org';
    try {
      const other = await run(['--homeserver', hs.url]);
      assert.equal(other.code, 0);
      assert.match(other.out, /Healthy|healthy/);
      const host = new URL(hs.url).host;
      assert.match(other.err, new RegExp(`^xsign-doctor: warning: .*${host.replace(/\./g, '\\.')}.*example\\.org.*matrix\\.example\\.org`));
    } finally {
      wellKnownBaseUrl = undefined;
    }
  });

  it('a wrong (but valid) recovery key is a problem; an invalid one is exit 2 with one line', async () => {
    hs.handle(serveView(await healthyView()));
    const wrong = await run(['--homeserver', hs.url, '--json', '--recovery-key', encodeRecoveryKey(seed(5))]);
    assert.equal(wrong.code, 1);
    assert.deepEqual((JSON.parse(wrong.out) as { problems: { code: string }[] }).problems.map((p) => p.code), ['wrong-recovery-key']);
    const invalid = await run(['--homeserver', hs.url], { XSIGN_RECOVERY_KEY: 'EsSz ykH7 nope' });
    assert.equal(invalid.code, 2);
    assert.equal(invalid.out, '');
    assert.match(invalid.err, /^xsign-doctor: That is not a valid recovery key: .+$/);
    const passphrase = await run(['--homeserver', hs.url, '--passphrase', 'hunter2']);
    assert.equal(passphrase.code, 2);
    assert.match(passphrase.err, /not created from a passphrase/);
  });

  it('connection and token errors: exit 2 with one clear line', async () => {
    const down = await run(['--homeserver', 'http://127.0.0.1:1']);
    assert.equal(down.code, 2);
    assert.match(down.err, /^xsign-doctor: Could not reach the homeserver/);
    assert.ok(!down.err.includes('\n'));
    hs.handle((_req, res) => sendJson(res, 401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.' }));
    const refused = await run(['--homeserver', hs.url]);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /refused the access token \(M_UNKNOWN_TOKEN\)/);
  });

  it('--account: the account\u2019s reads start beside whoami, which still checks the claim', async () => {
    const hold = holdUntil(serveView(await healthyView()), (p) => p.startsWith('/_matrix/client/v3/account/whoami'), (p) => p.startsWith('/_matrix/client/v3/keys/query'));
    hs.handle(hold.handler);
    const r = await run(['--homeserver', hs.url, '--account', USER]);
    assert.equal(r.code, 0, r.err);
    assert.ok(hold.overlapped(), 'keys/query was sent while whoami was unanswered');
    assert.match(r.out, /Healthy: no problems found/);
    // The device ID came from whoami after the reads had started.
    assert.match(r.out, /DEVICEONE \[this device\]/);
  });

  it('--account of a user the token does not act as: exit 2 naming both, no report', async () => {
    hs.handle(serveView(await healthyView()));
    const r = await run(['--homeserver', hs.url, '--account', '@bob:example.org', '--json']);
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.match(r.err, /the access token acts as @alice:example\.org, not @bob:example\.org \(--account\)/);
    await assert.rejects(run(['--homeserver', hs.url, '--account', 'alice']), /--account must be a user ID/);
  });

  it('the people\u2019s reads run beside the account\u2019s, not after them', async () => {
    const hold = holdUntil(serveView(await healthyView()), (p) => p.startsWith('/_matrix/client/v3/keys/query'), (p) => p.startsWith('/_matrix/client/v3/sync'));
    hs.handle(hold.handler);
    const r = await run(['--homeserver', hs.url, '--json']);
    assert.equal(r.code, 0, r.err);
    assert.ok(hold.overlapped(), 'the sync was sent while the account\u2019s keys/query was unanswered');
  });

  it('usage errors throw UsageError (the entry point prints help and exits 2)', async () => {
    await assert.rejects(run([]), UsageError);
    await assert.rejects(runStatus(['--homeserver', hs.url], { env: {}, fetch, out: () => {}, err: () => {} }), /access token is required/);
    await assert.rejects(run(['--homeserver', hs.url, '--recovery-key', 'a', '--passphrase', 'b']), /not both/);
    await assert.rejects(run(['--homeserver', hs.url, '--json', '--diagnostic']), UsageError);
    await assert.rejects(run(['--homeserver', 'ftp://x']), UsageError);
    await assert.rejects(run(['--homeserver', hs.url, '--bogus']), /unknown option/);
  });

  it('server text cannot inject terminal escapes', async () => {
    const view = await healthyView();
    const devices = view.keysQuery.device_keys![USER] as Record<string, { unsigned: Record<string, unknown> }>;
    devices.DEVICETWO!.unsigned.device_display_name = '\u001b[2J\u001b]0;pwned\u0007 \u202eevil';
    hs.handle(serveView(view));
    const r = await run(['--homeserver', hs.url]);
    assert.equal(r.code, 0);
    assert.ok(!/[\u001b\u0007\u202e]/.test(r.out));
    // --json stays valid JSON carrying the exact name, with nothing a terminal would act on.
    const json = await run(['--homeserver', hs.url, '--json']);
    assert.ok(!/[\u001b\u0007\u0085\u202e]/.test(json.out), 'no raw escape or bidi override in the JSON text');
    const names = (JSON.parse(json.out) as { devices: { displayName: string | null }[] }).devices.map((d) => d.displayName);
    assert.ok(names.includes('\u001b[2J\u001b]0;pwned\u0007 \u202eevil'));
  });

  it('--diagnostic prints the redacted bundle', async () => {
    hs.handle(serveView(await healthyView()));
    const r = await run(['--homeserver', hs.url, '--diagnostic']);
    assert.equal(r.code, 0);
    const data = JSON.parse(r.out) as { tool: string; generatedAt: string; server: { keysQuery: unknown } };
    assert.equal(data.tool, 'xsign-doctor');
    assert.equal(data.generatedAt, '2026-01-02T03:04:05.000Z');
    assert.ok(!r.out.includes('tok_123'));
  });

  it('the real entry point propagates exit codes and prints whole JSON to a pipe', async () => {
    const view = await healthyView();
    await unsignedDevices(view);
    hs.handle(serveView(view));
    const entry = new URL('./index.ts', import.meta.url).pathname;
    // execFile, not spawnSync: a blocked event loop could not serve the fake homeserver.
    const cli = (args: string[]) => new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', entry, ...args], { env: { ...process.env, XSIGN_TOKEN: 'tok_123', XSIGN_STATE_FILE: `${tmpdir()}/xsign-status-test-${process.pid}.json` } }, (error, stdout, stderr) => {
        resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      });
    });
    const r = await cli(['status', '--homeserver', hs.url, '--json']);
    assert.equal(r.status, 1, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { healthy: boolean }).healthy, false);
    const usage = await cli(['status']);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--homeserver is required/);
  });
});
