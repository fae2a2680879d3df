/**
 * The matrix-js-sdk baseline: each run logs in a fresh device for the SDK (so its OlmMachine never
 * shares the web app's session device keys), runs bench/sdk-cold-start.mjs in a new Node process,
 * then logs that device out again (deleting it and its keys, so the account is unchanged for the
 * next run). Login and logout are not timed.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callJson, loginDevice, type TestUser } from '../../e2e/harness/users.ts';
import { countWaves, type Interval } from './waves.ts';

const SCRIPT = new URL('../sdk-cold-start.mjs', import.meta.url).pathname;

export type SdkRun = {
  /**
   * Spawn to exit, timed by this process as the CLI's cli_cold_ms is (bench/lib/cli-cold.ts): what
   * a cold process costs, Node's own start-up and exit included. This is sdk_cold_ms.
   */
  process_ms: number;
  /** From the script's first line to its answers (inside the process, after Node's start-up). */
  total_ms: number;
  /** total_ms minus import and initRustCrypto: the answers from an already started client. */
  running_ms: number;
  /** Peak resident set of the SDK process (process.resourceUsage().maxRSS). */
  max_rss_kb: number;
  phases_ms: Record<string, number>;
  polyfills: string[];
  requests: Interval[];
  answers: Record<string, unknown>;
};

export type SdkRunFailure = { error: string; stack?: string; logTail: string };

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function runChild(input: object, logFile: string, timeoutMs: number): Promise<{ code: number | null; signal: string | null; ms: number }> {
  const fd = openSync(logFile, 'w');
  try {
    const t0 = performance.now();
    const child = spawn(process.execPath, [SCRIPT, JSON.stringify(input)], { stdio: ['ignore', fd, fd] });
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, ms: performance.now() - t0 });
      });
    });
  } finally {
    closeSync(fd);
  }
}

/** One cold start; never throws for SDK failures (they come back as SdkRunFailure). */
export async function sdkColdStart(
  hs: { baseUrl: string },
  user: TestUser,
  opts: { timeoutMs: number; logDir: string },
): Promise<SdkRun | SdkRunFailure> {
  const login = await loginDevice(hs, user, { displayName: 'bench matrix-js-sdk baseline' });
  const dir = mkdtempSync(join(tmpdir(), 'xsign-bench-sdk-'));
  const out = join(dir, 'result.json');
  const logFile = join(opts.logDir, `sdk-${user.localpart}-${login.deviceId}.log`);
  try {
    const { code, signal, ms } = await runChild(
      { baseUrl: hs.baseUrl, userId: user.userId, deviceId: login.deviceId, accessToken: login.accessToken, out },
      logFile,
      opts.timeoutMs,
    );
    if (!existsSync(out)) {
      return { error: `the SDK process ended (${signal ?? `exit ${code}`}) without a result${signal === 'SIGKILL' ? ` (killed after ${opts.timeoutMs} ms)` : ''}`, logTail: tail(logFile) };
    }
    const result = JSON.parse(readFileSync(out, 'utf8')) as ({ ok: true } & Omit<SdkRun, 'process_ms'>) | { ok: false; error: string; stack?: string };
    if (!result.ok) return { error: result.error, ...(result.stack ? { stack: result.stack } : {}), logTail: tail(logFile) };
    const { ok: _ok, ...run } = result;
    return { ...run, process_ms: ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await callJson(hs.baseUrl, 'POST', '/_matrix/client/v3/logout', { token: login.accessToken, body: {} }).catch(() => {});
  }
}

export function isFailure(r: SdkRun | SdkRunFailure): r is SdkRunFailure {
  return 'error' in r;
}

/** Waves by the same overlap rule as ours; labels shortened like the core's. */
export function sdkWaves(run: SdkRun, userId: string): { waves: number; requests: number; perWave: string[][] } {
  const short = (label = '') => label
    .replace(encodeURIComponent(userId), '{user}')
    .replace(/ \/_matrix\/client\/(v3|unstable|v1)/, ' ')
    .replace(/m\.secret_storage\.key\.[^/]+$/, 'm.secret_storage.key.{id}');
  return countWaves(run.requests.map((r) => ({ ...r, label: short(r.label) })));
}
