// The README's test command (`npm test`): build both packages and the test builds, type-check,
// lint the Firefox package, start ONE real Synapse for the run, then run every unit and e2e test
// under node's test runner. `--unit` runs only the unit tests (no Synapse, no browsers).
import { spawnSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { missingBrowsers } from '../e2e/harness/browser-paths.ts';
import { SYNAPSE_ENV } from '../e2e/harness/test-synapse.ts';

const root = new URL('..', import.meta.url).pathname;
const unitOnly = process.argv.includes('--unit');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function step(name: string, cmd: string, args: string[]) {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`test: step "${name}" failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  console.log(`test: ${name} ok (${Math.round(performance.now() - t)} ms)`);
}

function testFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return testFiles(path);
    return /\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

if (!unitOnly) {
  const missing = missingBrowsers();
  if (missing.length) {
    for (const line of missing) console.error(line);
    process.exit(1);
  }
  step('build', process.execPath, ['scripts/build.mjs']);
  step('build:test', process.execPath, ['scripts/build.mjs', '--test']);
  step('typecheck', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
  step('web-ext lint', process.execPath, ['scripts/lint-firefox.mjs', 'dist/firefox']);
}

// bench/lib holds unit tests of the results writer (no browsers, no Synapse).
let files = [...testFiles('src'), ...testFiles('bench'), ...(unitOnly ? [] : testFiles('e2e'))];
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));

const env = { ...process.env };
let stopSynapse: (failed: boolean) => Promise<void> = async () => {};
if (!unitOnly) {
  const { startSynapse } = await import('../e2e/harness/synapse.ts');
  const { ensureSynapseVenv } = await import('../e2e/harness/synapse-venv.ts');
  await ensureSynapseVenv(); // first run: creates .venv/synapse; not part of the start-up time
  const hs = await startSynapse();
  console.log(`test: Synapse ready at ${hs.baseUrl} in ${hs.startupMs} ms`);
  env[SYNAPSE_ENV] = JSON.stringify({ baseUrl: hs.baseUrl, serverName: hs.serverName, registrationSharedSecret: hs.registrationSharedSecret });
  stopSynapse = async (failed) => {
    if (failed) {
      // Keep the homeserver's log as a test artifact.
      mkdirSync(join(root, 'test-results'), { recursive: true });
      copyFileSync(hs.logFile, join(root, 'test-results', 'synapse.log'));
      console.error(`test: Synapse log kept at ${relative(root, join(root, 'test-results', 'synapse.log'))}`);
    }
    await hs.stop();
  };
}

console.log(`test: running ${files.length} test files`);
// Human-readable spec output on the console, TAP into a file for the closing summary line.
mkdirSync(join(root, 'test-results'), { recursive: true });
const tapFile = join(root, 'test-results', 'results.tap');
const child = spawn(
  process.execPath,
  // --test-timeout: no single test may hang the run (the slowest take about 2 min). Not
  // --test-force-exit: it exits before the TAP reporter writes the totals printed below.
  ['--import', 'tsx', '--test', '--test-timeout=600000', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tapFile}`, ...files],
  { cwd: root, env, stdio: 'inherit' },
);
const code: number = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
await stopSynapse(code !== 0);
const tap = readFileSync(tapFile, 'utf8');
const count = (name: string) => Number(tap.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
console.log(`${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped')} skipped`);
process.exit(code);
