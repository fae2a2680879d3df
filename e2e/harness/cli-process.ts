// The CLI run as users run it: a subprocess of the source entry, with the secret variables
// cleared so that nothing from the developer's shell leaks into a test, and stdin given.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ENTRY = new URL('../../src/cli/index.ts', import.meta.url).pathname;

export interface CliResult { code: number; stdout: string; stderr: string }

/**
 * The CLI's memory of verified master keys (src/cli/state-file.ts), one per test process so no test
 * writes to the developer's ~/.local/state; a test that needs its own passes XSIGN_STATE_FILE.
 */
export const DEFAULT_STATE_FILE = join(mkdtempSync(join(tmpdir(), 'xsign-state-')), 'verified-users.json');

/** Run `xsign-doctor ARGS` with `env` on top of a cleared XSIGN_* environment, `stdin` as its input. */
export function cli(args: string[], env: Record<string, string>, stdin = ''): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
      env: { ...process.env, XSIGN_TOKEN: '', XSIGN_RECOVERY_KEY: '', XSIGN_PASSPHRASE: '', XSIGN_FROM_RECOVERY_KEY: '', XSIGN_STATE_FILE: DEFAULT_STATE_FILE, ...env },
      maxBuffer: 64 << 20,
    }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
    child.stdin!.end(stdin);
  });
}

/** `status --json` with a token (and a recovery key): asserts exit 0 or 1, returns the exit code and the parsed report. */
export async function statusJson<T>(baseUrl: string, token: string, recoveryKey?: string): Promise<{ code: number; report: T }> {
  const env: Record<string, string> = { XSIGN_TOKEN: token };
  if (recoveryKey !== undefined) env.XSIGN_RECOVERY_KEY = recoveryKey;
  const r = await cli(['status', '--homeserver', baseUrl, '--json'], env);
  assert.ok(r.code === 0 || r.code === 1, `status exit ${r.code}: ${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout) as T };
}
