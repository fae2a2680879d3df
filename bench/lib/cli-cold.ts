/**
 * cli_cold_ms: the CLI as a cold process answering the same questions (`xsign-doctor status
 * --json --account USER`, the production bundle dist/cli/xsign-doctor.cjs), timed from spawn to
 * exit; its peak memory from /usr/bin/time (GNU time, `%M` = maximum resident set in KiB). The
 * token is given in XSIGN_TOKEN, as the CLI recommends. `--account` gives the CLI the user ID the
 * SDK baseline is given too (createClient's userId), so its reads start beside whoami, which
 * still checks it; the people's reads (status answers them as well) run beside the account's.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type CliRun = { ms: number; maxRssKb: number | null; exitCode: number | null; healthy: boolean; devices: number };

export async function cliColdStart(cli: string, session: { baseUrl: string; accessToken: string; userId: string }, opts: { timeoutMs: number }): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), 'xsign-bench-cli-'));
  const timeFile = join(dir, 'time');
  try {
    const t0 = performance.now();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%M', process.execPath, cli, 'status', '--homeserver', session.baseUrl, '--account', session.userId, '--json'], {
        env: { ...process.env, XSIGN_TOKEN: session.accessToken },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
      child.once('error', (e) => (clearTimeout(timer), reject(e)));
      child.once('exit', (c) => (clearTimeout(timer), resolve({ code: c, stdout, stderr })));
    });
    const ms = performance.now() - t0;
    if (code !== 0 && code !== 1) throw new Error(`xsign-doctor status exited ${code}: ${stderr.trim().slice(0, 300)}`);
    const report = JSON.parse(stdout) as { healthy?: boolean; devices?: unknown[]; report?: { healthy?: boolean; devices?: unknown[] } };
    const r = report.report ?? report;
    const rss = Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1));
    return { ms, maxRssKb: Number.isFinite(rss) ? rss : null, exitCode: code, healthy: r.healthy === true, devices: Array.isArray(r.devices) ? r.devices.length : 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
