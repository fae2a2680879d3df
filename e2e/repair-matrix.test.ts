// The state × repair matrix in the CLI, against Synapse (docs/interop.md#repair-matrix): for each
// broken account of e2e/harness/repair-matrix.ts, take the repair the status JSON suggests, run it
// as `xsign-doctor <repair>` (the name the status prints is accepted as a verb), and repeat as the
// row says; the re-read status must be healthy, or list exactly the problems no repair fixes, each
// explained. Then a fresh matrix-js-sdk device given the recovery key must count the identity
// verified, every session cross-signed, the backup trusted (docs/interop.md#sdk-judge).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { encodeBase64 } from '../src/core/index.ts';
import { cli, statusJson } from './harness/cli-process.ts';
import { noCrossSigningWithOwnKeys, selectedRows, type BrokenAccount, type MatrixRow } from './harness/repair-matrix.ts';
import { sdkCheck } from './harness/sdk-device.ts';
import { publishedKeys } from './harness/server-keys.ts';
import { testSynapse, type SynapseInfo } from './harness/test-synapse.ts';

interface JsonReport {
  healthy: boolean;
  problems: { code: string; message: string; repair?: string; subject?: string }[];
  backup?: { version?: string } | null;
}

const codes = (r: JsonReport): string[] => r.problems.map((p) => p.code).sort();

/**
 * The repairs the status suggests: every repair its problems name, in the report's order, and
 * `fix` (the one plan for all of them) whenever any is named — the status text offers it then.
 */
export const suggestions = (r: JsonReport): string[] => {
  const named = [...new Set(r.problems.flatMap((p) => (p.repair === undefined ? [] : [p.repair])))];
  return named.length === 0 ? [] : [...named, 'fix'];
};

async function status(hs: SynapseInfo, broken: BrokenAccount): Promise<{ code: number; report: JsonReport }> {
  const { code, report } = await statusJson<JsonReport>(hs.baseUrl, broken.account.user.accessToken, broken.recoveryKey);
  assert.equal(report.healthy, code === 0);
  return { code, report };
}

/** Run one repair as the person would: the status's name for it, the recovery key, the password on stdin. */
async function runRepair(hs: SynapseInfo, broken: BrokenAccount, repair: string, args: string[] = [], extraEnv: Record<string, string> = {}) {
  const env: Record<string, string> = { XSIGN_TOKEN: broken.account.user.accessToken, ...extraEnv };
  if (broken.recoveryKey !== undefined) env.XSIGN_RECOVERY_KEY = broken.recoveryKey;
  const r = await cli([repair, '--homeserver', hs.baseUrl, '--yes', '--password-stdin', ...args], env, `${broken.account.user.password}\n`);
  assert.equal(r.code, 0, `xsign-doctor ${repair} exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** The re-read status after the row's repairs: healthy, or exactly the problems no repair fixes, each explained. */
async function assertEnd(hs: SynapseInfo, broken: BrokenAccount, remaining: readonly string[]): Promise<JsonReport> {
  const { code, report } = await status(hs, broken);
  assert.deepEqual(codes(report), [...remaining].sort(), JSON.stringify(report.problems, null, 1));
  for (const p of report.problems) {
    assert.equal(p.repair, undefined, `${p.code} is left although it names a repair (${p.repair})`);
    assert.ok(p.message.trim().length > 20, `${p.code} is not explained`);
  }
  assert.equal(code, remaining.length === 0 ? 0 : 1);
  return report;
}

/** What matrix-js-sdk, given the recovery key, makes of the account's identity, sessions and backup. */
async function sdkVerdict(hs: SynapseInfo, broken: BrokenAccount) {
  const ids = broken.account.devices.map((d) => d.deviceId);
  const verdict = await sdkCheck(hs, broken.account.user, { recoveryKey: broken.recoveryKey!, devices: ids });
  const trusted = verdict.ownIdentityVerified && verdict.secretStorageReady
    && ids.every((id) => verdict.devices[id]?.crossSigningVerified === true)
    && (verdict.backup === null || (verdict.backup.trusted && verdict.backup.matchesDecryptionKey));
  return { ids, verdict, trusted };
}

/** matrix-js-sdk's verdict after the repairs: identity verified, every session cross-signed, the backup trusted. */
async function assertSdkTrusts(hs: SynapseInfo, broken: BrokenAccount, report: JsonReport): Promise<void> {
  const { ids, verdict } = await sdkVerdict(hs, broken);
  const why = `SDK steps: ${verdict.steps.join('; ')}`;
  assert.equal(verdict.ownIdentityVerified, true, why);
  for (const id of ids) assert.equal(verdict.devices[id]?.crossSigningVerified, true, `device ${id} not cross-signed for the SDK (${why})`);
  if (report.backup?.version !== undefined) {
    assert.deepEqual(verdict.backup, { version: report.backup.version, trusted: true, matchesDecryptionKey: true }, why);
  } else {
    assert.equal(verdict.backup, null);
  }
  assert.equal(verdict.secretStorageReady, true, why);
}

async function runRow(hs: SynapseInfo, row: MatrixRow): Promise<string[]> {
  const broken = await row.build(hs);
  // The judge saw the break (or the row says why it cannot): its "trusted" afterwards is the repair's doing.
  const beforeRepair = await sdkVerdict(hs, broken);
  assert.equal(beforeRepair.trusted, row.sdkAcceptsBroken !== undefined, `matrix-js-sdk before the repair: ${JSON.stringify(beforeRepair.verdict)}`);
  const taken: string[] = [];
  for (const step of row.repairs) {
    const { report } = await status(hs, broken);
    const offered = suggestions(report);
    assert.ok(offered.includes(step.repair),
      `after ${taken.join(' → ') || 'nothing'} the status suggests ${offered.join(', ') || 'nothing'}, not ${step.repair}: ${codes(report).join(', ')}`);
    await runRepair(hs, broken, step.repair, step.args?.(broken) ?? [], step.env?.(broken) ?? {});
    step.after?.(broken);
    taken.push(step.repair);
  }
  const report = await assertEnd(hs, broken, row.remaining ?? []);
  await assertSdkTrusts(hs, broken, report);
  return taken;
}

describe('state × repair matrix in the CLI, judged by matrix-js-sdk', { concurrency: 3 }, () => {
  let hs: SynapseInfo;
  before(async () => { hs = await testSynapse(); });

  for (const row of selectedRows()) {
    const path = row.repairs.map((s) => s.repair).join(' → ');
    test(`${row.state}: ${path} → ${row.remaining?.length ? row.remaining.join(', ') : 'healthy'}; matrix-js-sdk trusts it`, async () => {
      assert.deepEqual(await runRow(hs, row), row.repairs.map((s) => s.repair));
    });
  }

  test('manual upload (keys the person made elsewhere), then sign-devices: healthy, matrix-js-sdk trusts it', async () => {
    const broken = await noCrossSigningWithOwnKeys(hs);
    const keys = broken.ownKeys!;
    const dir = mkdtempSync(join(tmpdir(), 'xsign-matrix-'));
    const file = (name: string, seed: Uint8Array) => {
      const path = join(dir, name);
      writeFileSync(path, `${encodeBase64(seed)}\n`, { mode: 0o600 });
      return path;
    };
    await runRepair(hs, broken, 'upload', [
      '--master-key', file('master', keys.master.seed), '--self-signing-key', file('ssk', keys.selfSigning.seed),
      '--user-signing-key', file('usk', keys.userSigning.seed),
    ]);
    const published = await publishedKeys(broken.account.user);
    assert.deepEqual([published.master, published.selfSigning, published.userSigning],
      [keys.master.publicKey, keys.selfSigning.publicKey, keys.userSigning.publicKey]);
    const { report } = await status(hs, broken);
    assert.deepEqual(suggestions(report), ['sign-devices', 'fix'], codes(report).join(', '));
    await runRepair(hs, broken, 'sign-devices');
    await assertSdkTrusts(hs, broken, await assertEnd(hs, broken, []));
  });
});
