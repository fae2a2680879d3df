/** Where and with what the numbers were taken. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { browserBinaries } from '../../e2e/harness/browser-paths.ts';
import { SYNAPSE_VERSION } from '../../e2e/harness/synapse-venv.ts';

export type MachineInfo = {
  date: string;
  cpus: number;
  cpu_model: string;
  memory_gib: number;
  os: string;
  node: string;
  chromium: string;
  firefox: string;
  synapse: string;
  matrix_js_sdk: string | null;
  matrix_sdk_crypto_wasm: string | null;
  /** 1-minute load average when the bench started (above cpus/2: other work competed) and ended (includes the bench's own load). */
  load_avg_1m: { start: number; end: number | null };
};

export const loadAverage = (): number => Math.round((loadavg()[0] ?? 0) * 100) / 100;

function version(binary: string): string {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch (e) {
    return `unknown (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  }
}

function packageVersion(root: string, name: string): string | null {
  const file = join(root, 'node_modules', name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : null;
}

export function machineInfo(root: string): MachineInfo {
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    cpus: cpu.length,
    cpu_model: cpu[0]?.model.trim() ?? 'unknown',
    memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    chromium: version(browserBinaries.chromium.path),
    firefox: version(browserBinaries.firefox.path),
    synapse: SYNAPSE_VERSION,
    matrix_js_sdk: packageVersion(root, 'matrix-js-sdk'),
    matrix_sdk_crypto_wasm: packageVersion(root, '@matrix-org/matrix-sdk-crypto-wasm'),
    load_avg_1m: { start: loadAverage(), end: null },
  };
}
