// `xsign-doctor status` end to end: for each identity fixture state built on a real Synapse, run
// the CLI as a subprocess (the way users run it) and check its exit code and the problem codes of
// its --json report, with and without the recovery key.
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { EXPECTED_PROBLEMS as EXPECTED } from './harness/expected-problems.ts';
import { startFaultProxy } from './harness/fault-proxy.ts';
import { buildAccount, type FixtureAccount, type FixtureState } from './harness/identity.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';

const ENTRY = new URL('../src/cli/index.ts', import.meta.url).pathname;

interface CliResult { code: number; stdout: string; stderr: string }

function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
      env: { ...process.env, XSIGN_TOKEN: '', XSIGN_RECOVERY_KEY: '', XSIGN_PASSPHRASE: '', ...env }, maxBuffer: 64 << 20,
    }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

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
});
