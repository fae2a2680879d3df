// `xsign-doctor status` end to end: for each identity fixture state built on a real Synapse, run
// the CLI as a subprocess (the way users run it) and check its exit code and the problem codes of
// its --json report, with and without the recovery key.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { EXPECTED_PROBLEMS as EXPECTED } from './harness/expected-problems.ts';
import { startFaultProxy } from './harness/fault-proxy.ts';
import { buildAccount, type FixtureAccount, type FixtureState } from './harness/identity.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';
import { callJson } from './harness/users.ts';
import { cli } from './harness/cli-process.ts';


/** Anything a terminal acts on (controls, bidi, invisible format characters), the CLI's own newlines aside. */
const RAW = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const rawControls = (text: string): boolean => RAW.test(text.replace(/\n/g, ''));

interface JsonReport {
  healthy: boolean;
  problems: { code: string; message: string; repair?: string; subject?: string }[];
  secretStorage: { keyCheck?: string };
}

async function status(hs: SynapseInfo, account: FixtureAccount, withKey: boolean): Promise<{ code: number; report: JsonReport }> {
  const env: Record<string, string> = { XSIGN_TOKEN: account.user.accessToken };
  if (withKey && account.secretStorage) env.XSIGN_RECOVERY_KEY = account.secretStorage.recoveryKey;
  const r = await cli(['status', '--homeserver', hs.baseUrl, '--json'], env);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as JsonReport;
  assert.equal(report.healthy, r.code === 0);
  assert.equal(report.healthy, report.problems.length === 0);
  for (const p of report.problems) assert.ok(p.message.length > 0);
  return { code: r.code, report };
}

const codes = (r: JsonReport): string[] => r.problems.map((p) => p.code).sort();

describe('xsign-doctor status against Synapse', () => {
  let hs: SynapseInfo;
  before(async () => { hs = await testSynapse(); });

  for (const [state, expected] of Object.entries(EXPECTED) as [FixtureState, (typeof EXPECTED)[FixtureState]][]) {
    test(`${state}: exit code and problem codes`, async () => {
      const account = await buildAccount(hs, state);
      const without = await status(hs, account, false);
      assert.deepEqual(codes(without.report), expected.without, 'without the recovery key');
      assert.equal(without.code, expected.without.length === 0 ? 0 : 1);
      if (account.secretStorage) {
        const withKey = await status(hs, account, true);
        assert.deepEqual(codes(withKey.report), expected.with, 'with the recovery key');
        assert.equal(withKey.report.secretStorage.keyCheck, 'ok');
      }
    });
  }

  test('repairs name the root fix', async () => {
    const account = await buildAccount(hs, 'secrets-missing');
    const { report } = await status(hs, account, true);
    const repairs = Object.fromEntries(report.problems.map((p) => [p.subject, p.repair]));
    assert.deepEqual(repairs, {
      'm.cross_signing.master': 'reset-cross-signing',
      'm.cross_signing.self_signing': 'regenerate-subkeys',
      'm.cross_signing.user_signing': 'regenerate-subkeys',
    });
  });

  test('human output, and exit 2 with one line for a bad token or recovery key', async () => {
    const account = await buildAccount(hs, 'healthy');
    const text = await cli(['status', '--homeserver', hs.baseUrl], { XSIGN_TOKEN: account.user.accessToken });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Healthy: no problems found/);
    assert.match(text.stdout, new RegExp(`${account.devices[0]!.deviceId} \\[this device\\]`));
    const badToken = await cli(['status', '--homeserver', hs.baseUrl], { XSIGN_TOKEN: 'syt_not_a_token' });
    assert.equal(badToken.code, 2);
    assert.match(badToken.stderr, /^xsign-doctor: the homeserver refused the access token \(M_UNKNOWN_TOKEN\)/);
    assert.equal(badToken.stderr.trim().split('\n').length, 1);
    const badKey = await cli(['status', '--homeserver', hs.baseUrl, '--recovery-key', 'EsTy not a key'], { XSIGN_TOKEN: account.user.accessToken });
    assert.equal(badKey.code, 2);
    assert.match(badKey.stderr, /not a valid recovery key/);
  });

  test('--account: the same report with the reads started beside whoami; a user the token does not act as is exit 2 with nothing on stdout', async () => {
    const account = await buildAccount(hs, 'devices-not-cross-signed');
    const env = { XSIGN_TOKEN: account.user.accessToken };
    const plain = await cli(['status', '--homeserver', hs.baseUrl, '--json'], env);
    const claimed = await cli(['status', '--homeserver', hs.baseUrl, '--json', '--account', account.user.userId], env);
    assert.equal(claimed.code, plain.code, claimed.stderr);
    assert.deepEqual(JSON.parse(claimed.stdout), JSON.parse(plain.stdout));
    const other = `@someone-else:${hs.serverName}`;
    const wrong = await cli(['status', '--homeserver', hs.baseUrl, '--json', '--account', other], env);
    assert.equal(wrong.code, 2);
    assert.equal(wrong.stdout, '');
    assert.ok(wrong.stderr.includes(`acts as ${account.user.userId}, not ${other} (--account)`), wrong.stderr);
  });

  test('--account: the account\'s keys/query, sent before the rest of the CLI loads, is the one the inspection uses (sent once)', async () => {
    const account = await buildAccount(hs, 'healthy');
    const env = { XSIGN_TOKEN: account.user.accessToken };
    // Through a relay (the fault proxy, no fault) that logs every request Synapse gets.
    const relay = await startFaultProxy(hs.baseUrl);
    try {
      const r = await cli(['status', '--homeserver', relay.url, '--json', '--account', account.user.userId], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as JsonReport).healthy, true);
      const mine = relay.log.filter((e) => e.method === 'POST' && e.path.endsWith('/keys/query') && e.body.includes(JSON.stringify(account.user.userId)));
      assert.equal(mine.length, 1, JSON.stringify(relay.log.map((e) => `${e.method} ${e.path}`)));
      assert.deepEqual(JSON.parse(mine[0]!.body), { device_keys: { [account.user.userId]: [] } });
    } finally {
      await relay.close();
    }
  });

  test('a --homeserver that is not the user ID\u2019s homeserver: a warning naming both hosts on stderr, and the command goes on', async () => {
    const account = await buildAccount(hs, 'healthy');
    const env = { XSIGN_TOKEN: account.user.accessToken };
    // Its own homeserver: proven through localhost:<port>'s well-known, so nothing on stderr.
    const own = await cli(['status', '--homeserver', hs.baseUrl], env);
    assert.equal(own.code, 0, own.stderr);
    assert.equal(own.stderr, '');
    // A second local server relaying to Synapse (the fault proxy, no fault) is not the account's.
    const relay = await startFaultProxy(hs.baseUrl);
    try {
      const relayHost = new URL(relay.url).host;
      for (const args of [['status', '--homeserver', relay.url], ['whoami', '--homeserver', relay.url]]) {
        const r = await cli(args, env);
        assert.equal(r.code, 0, r.stderr);
        const warning = r.stderr.split('\n').find((l) => l.startsWith('xsign-doctor: warning: '));
        assert.ok(warning?.includes(relayHost) && warning.includes(hs.serverName), `${args[0]}: ${r.stderr}`);
      }
    } finally {
      await relay.close();
    }
  });

  test('passphrase: right one passes the key check, a wrong one is reported', async () => {
    const account = await buildAccount(hs, 'healthy', { passphrase: 'correct horse battery staple' });
    const env = { XSIGN_TOKEN: account.user.accessToken };
    const right = await cli(['status', '--homeserver', hs.baseUrl, '--json', '--passphrase', 'correct horse battery staple'], env);
    assert.equal(right.code, 0, right.stderr);
    assert.equal((JSON.parse(right.stdout) as JsonReport).secretStorage.keyCheck, 'ok');
    const wrong = await cli(['status', '--homeserver', hs.baseUrl, '--json', '--passphrase', 'wrong'], env);
    assert.equal(wrong.code, 1);
    assert.deepEqual(codes(JSON.parse(wrong.stdout) as JsonReport), ['wrong-recovery-key']);
  });

  test('a hostile device display name set on Synapse never reaches the terminal raw (text, --json, --diagnostic)', async () => {
    const account = await buildAccount(hs, 'healthy');
    const hostile = 'phone\u001b[2J\u001b]0;pwned\u0007\r\u202eevil\u2066\u200b\u0085';
    const other = account.devices[1]!.deviceId;
    await callJson(hs.baseUrl, 'PUT', `/_matrix/client/v3/devices/${encodeURIComponent(other)}`, { token: account.user.accessToken, body: { display_name: hostile } });
    const env = { XSIGN_TOKEN: account.user.accessToken };
    const text = await cli(['status', '--homeserver', hs.baseUrl], env);
    assert.equal(text.code, 0, text.stderr);
    assert.ok(!rawControls(text.stdout) && !rawControls(text.stderr), JSON.stringify(text.stdout));
    // Quoted as a JSON string (C0 escaped by JSON.stringify), the rest escaped by the formatter.
    assert.ok(text.stdout.includes('"phone\\u001b[2J\\u001b]0;pwned\\u0007\\r\\u202eevil\\u2066\\u200b\\x85"'), 'shown, escaped');
    const json = await cli(['status', '--homeserver', hs.baseUrl, '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    assert.ok(!rawControls(json.stdout), 'no raw character in the JSON text');
    const device = (JSON.parse(json.stdout) as { devices: { deviceId: string; displayName: string }[] }).devices.find((d) => d.deviceId === other)!;
    assert.equal(device.displayName, hostile, 'the JSON still carries the exact name');
    const diagnostic = await cli(['status', '--homeserver', hs.baseUrl, '--diagnostic'], env);
    assert.equal(diagnostic.code, 0, diagnostic.stderr);
    assert.ok(!rawControls(diagnostic.stdout));
    const me = await cli(['whoami', '--homeserver', hs.baseUrl], env);
    assert.equal(me.stdout, `${account.user.userId} ${account.devices[0]!.deviceId}\n`);
  });

  test('secrets from files and standard input; the argument forms warn without printing the value', async () => {
    const account = await buildAccount(hs, 'healthy', { passphrase: 'correct horse battery staple' });
    const dir = mkdtempSync(join(tmpdir(), 'xsign-secret-'));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${account.user.accessToken}\n`, { mode: 0o600 });
    const viaFiles = await cli(['status', '--homeserver', hs.baseUrl, '--json', '--token-file', tokenFile, '--passphrase-file', '-'], {}, 'correct horse battery staple\n');
    assert.equal(viaFiles.code, 0, viaFiles.stderr);
    assert.equal(viaFiles.stderr, '', 'no warning for the file forms');
    assert.equal((JSON.parse(viaFiles.stdout) as JsonReport).secretStorage.keyCheck, 'ok');
    const viaArgs = await cli(['status', '--homeserver', hs.baseUrl, '--json', '--token', account.user.accessToken, '--passphrase', 'correct horse battery staple'], {});
    assert.equal(viaArgs.code, 0, viaArgs.stderr);
    assert.deepEqual(viaArgs.stderr.trim().split('\n'), [
      'warning: --token on the command line is visible to other users in process lists; use XSIGN_TOKEN or --token-file',
      'warning: --passphrase on the command line is visible to other users in process lists; use XSIGN_PASSPHRASE or --passphrase-file',
    ]);
    for (const r of [viaFiles, viaArgs]) {
      assert.ok(!r.stdout.includes(account.user.accessToken) && !r.stderr.includes(account.user.accessToken));
      assert.ok(!r.stdout.includes('correct horse') && !r.stderr.includes('correct horse'));
    }
  });

  test('<command> --help prints that command\'s usage and exits 0, for every command', async () => {
    const commands = ['whoami', 'status', 'reset', 'regenerate', 'sign-devices', 'store-secrets', 'resign-backup', 'upload'];
    const results = await Promise.all(commands.map((c) => cli([c, '--help'], {})));
    results.forEach((r, i) => {
      assert.equal(r.code, 0, `${commands[i]}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: xsign-doctor ${commands[i]} --homeserver URL`));
    });
  });

  test('a stray argument (a password typed without its flag) is never echoed', async () => {
    const account = await buildAccount(hs, 'healthy', { devices: 1 });
    const r = await cli(['status', '--homeserver', hs.baseUrl, account.user.password], { XSIGN_TOKEN: account.user.accessToken });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unexpected argument #3 after status/);
    assert.ok(!r.stderr.includes(account.user.password) && !r.stdout.includes(account.user.password));
  });
});
