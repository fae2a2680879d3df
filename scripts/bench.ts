// `npm run bench`: performance numbers for the README (not part of `npm test`). Builds the
// production and test packages, starts its own throw-away Synapse, builds healthy accounts with 1,
// 100, 1000 and 5000 devices, and measures (results.per_devices, issue 16's schema):
//   1. time to verdict in the extension UI, in the page (Chromium and Firefox, background warm
//      and restarted), and the floor (bare requests, parse, verification in an empty extension
//      page, plus that page's start-up),
//   2. the same answers from matrix-js-sdk with its Rust crypto, cold and already running, and
//      from the CLI as a cold process, with their peak memory,
//   3. Ed25519 verification per signature (WebCrypto vs @noble/ed25519),
//   4. bundle and package sizes (and the Rust crypto .wasm for comparison),
//   5. request waves of the core's inspection.
// Writes bench/results.json and bench/results.md. Takes a few minutes on 2 cores.
//
// Options: --devices=1,100,1000,5000  --runs=7 (UI runs per cell)  --baseline-runs=7 (SDK and CLI)
//          --signatures=2000  --browsers=chromium,firefox  --out=DIR (default bench/)
//          --skip-build (reuse dist/)  --render-md (only rewrite results.md from results.json)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { missingBrowsers, type BrowserName } from '../e2e/harness/browser-paths.ts';
import { BROWSERS } from '../e2e/harness/browsers.ts';
import { buildAccount, type FixtureAccount } from '../e2e/harness/identity.ts';
import { startSynapse, type SynapseHandle } from '../e2e/harness/synapse.ts';
import { serveWebApp, webApps, type WebAppPage } from '../e2e/harness/web-app-pages.ts';
import { measureCoreInspect } from '../bench/lib/core-waves.ts';
import { loadAverage, machineInfo } from '../bench/lib/machine.ts';
import { METHOD, renderMarkdown, type BaselineSummary, type Results } from '../bench/lib/results.ts';
import { isFailure, sdkColdStart, sdkWaves, type SdkRun } from '../bench/lib/sdk-baseline.ts';
import { measureSizes } from '../bench/lib/sizes.ts';
import { median, ratio, round, summarise } from '../bench/lib/stats.ts';
import { openUiBench, type UiBench, type UiSample } from '../bench/lib/ui-timing.ts';
import { benchVerify } from '../bench/lib/verify.ts';
import { prepareBenchBuilds } from '../bench/lib/bench-build.ts';
import { cliColdStart } from '../bench/lib/cli-cold.ts';
import { emptySamples, perDevicesEntry, perDevicesProblems, type RawSamples } from '../bench/lib/per-devices.ts';

const root = new URL('..', import.meta.url).pathname;
const started = performance.now();
const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const int = (name: string, fallback: number, min: number): number => {
  const n = Number(arg(name, String(fallback)));
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`--${name} must be an integer >= ${min}`);
  return n;
};
const deviceCounts = arg('devices', '1,100,1000,5000').split(',').map(Number);
if (!deviceCounts.every((n) => Number.isSafeInteger(n) && n >= 1)) throw new RangeError('--devices must list positive integers');
const browsers = arg('browsers', BROWSERS.join(',')).split(',') as BrowserName[];
if (!browsers.every((b) => BROWSERS.includes(b))) throw new RangeError(`--browsers must list some of ${BROWSERS.join(', ')}`);
const uiRuns = int('runs', 7, 1);
const baselineRuns = int('baseline-runs', 7, 1);
const signatures = int('signatures', 2000, 200);
const outDir = resolve(arg('out', join(root, 'bench')));
const logDir = join(root, 'bench', 'runs', 'sdk-logs'); // git-ignored: the SDK processes' output, last run only
const UI_TIMEOUT_MS = 120_000;
const SDK_TIMEOUT_MS = 180_000;

const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const say = (line: string) => console.log(`bench [${elapsed()}]: ${line}`);
const message = (e: unknown): string => {
  if (!(e instanceof Error)) return String(e);
  return `${e.name}: ${e.message}${e.cause === undefined ? '' : ` (cause: ${message(e.cause)})`}`;
};

// Everything started here is stopped on the way out, also on Ctrl+C.
const cleanups: (() => Promise<void>)[] = [];
async function cleanUp(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!().catch((e: unknown) => console.error(`bench: cleanup failed: ${message(e)}`));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`bench: ${signal}, stopping`);
    void cleanUp().finally(() => process.exit(130));
  });
}

if (process.argv.includes('--render-md')) {
  const saved = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')) as Results;
  writeFileSync(join(outDir, 'results.md'), renderMarkdown(saved));
  say(`rewrote ${relative(process.cwd(), join(outDir, 'results.md'))}`);
  process.exit(0);
}

// `--users=100,1000,5000`: only the users report (bench/lib/users-report.ts), on its own Synapse;
// writes bench/users-results.json and .md.
if (process.argv.some((a) => a.startsWith('--users='))) {
  const { measureUsersReport, renderUsersMarkdown } = await import('../bench/lib/users-report.ts');
  const hs = await startSynapse();
  cleanups.push(() => hs.stop());
  const rows = [];
  mkdirSync(outDir, { recursive: true });
  try {
    for (const n of arg('users', '100').split(',').map(Number)) {
      rows.push(await measureUsersReport(hs, n, Math.max(1, Math.round(n / 10)), say));
      // Written after each size: the largest takes longest to build.
      writeFileSync(join(outDir, 'users-results.json'), `${JSON.stringify({ machine: machineInfo(root), rows }, null, 2)}\n`);
      writeFileSync(join(outDir, 'users-results.md'), renderUsersMarkdown(rows));
      say(`users report:\n${renderUsersMarkdown(rows)}`);
    }
  } finally {
    await cleanUp();
  }
  process.exit(0);
}

const missing = missingBrowsers();
if (missing.length) {
  for (const line of missing) console.error(line);
  process.exit(1);
}
rmSync(logDir, { recursive: true, force: true });
mkdirSync(logDir, { recursive: true });

const results: Results = {
  schema: 2,
  date: new Date().toISOString(),
  machine: machineInfo(root),
  config: { device_counts: deviceCounts, ui_runs: uiRuns, baseline_runs: baselineRuns, verify_signatures: signatures },
  time_to_status_ms: {},
  baseline_ms: {},
  baseline_ratio: {},
  baseline_error: null,
  verify_per_sig_ms: null,
  sizes_bytes: null,
  request_waves: { goal: 2, per_device_count: {} },
  per_devices: {},
  errors: [],
  total_run_ms: 0,
  method: METHOD,
};

/** Runs one section; a failure is recorded and the bench goes on with the next one. */
async function section(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const text = message(e);
    say(`${name} FAILED: ${text}`);
    results.errors.push({ section: name, error: text });
  }
}

function build(args: string[]): void {
  const r = spawnSync(process.execPath, ['scripts/build.mjs', ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`node scripts/build.mjs ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

try {
  if (!process.argv.includes('--skip-build')) {
    say('building the production and test packages');
    build([]);
    build(['--test']);
  }
  const benchBuilds = prepareBenchBuilds(root);
  await section('sizes', async () => {
    results.sizes_bytes = measureSizes(root);
  });
  await section('verify', async () => {
    say(`verifying ${signatures} signatures with each Ed25519 backend`);
    results.verify_per_sig_ms = await benchVerify(signatures);
    say(`verify: WebCrypto ${results.verify_per_sig_ms.webcrypto} ms/sig, noble ${results.verify_per_sig_ms.noble} ms/sig`);
  });

  const hs: SynapseHandle = await startSynapse();
  cleanups.push(() => hs.stop());
  say(`Synapse ${hs.baseUrl} ready in ${hs.startupMs} ms`);

  const accounts = new Map<number, { account: FixtureAccount; page: WebAppPage }>();
  for (const n of deviceCounts) {
    const t = performance.now();
    const account = await buildAccount(hs, 'healthy', { devices: n });
    const page = await serveWebApp(webApps.element({ ...account.user }, 'encrypted'));
    cleanups.push(() => page.close());
    accounts.set(n, { account, page });
    say(`account with ${n} device(s) built in ${Math.round(performance.now() - t)} ms`);
  }
  const targets = deviceCounts.map((n) => {
    const { account, page } = accounts.get(n)!;
    return { devices: n, pageUrl: page.url, floor: { baseUrl: hs.baseUrl, userId: account.user.userId, accessToken: account.user.accessToken } };
  });
  const cli = join(root, 'dist', 'cli', 'xsign-doctor.cjs');

  // 5. Request waves of the core, first (each baseline run adds, then removes, a device).
  for (const n of deviceCounts) {
    await section(`request_waves ${n}`, async () => {
      const { user } = accounts.get(n)!.account;
      const w = await measureCoreInspect({ baseUrl: hs.baseUrl, userId: user.userId, deviceId: user.deviceId, accessToken: user.accessToken });
      results.request_waves.per_device_count[String(n)] = {
        waves: w.waves, requests: w.requests, per_wave: w.perWave, core_inspect_node_ms: round(w.inspectMs), healthy: w.healthy,
        devices_in_report: w.devicesInReport,
      };
      say(`request waves, ${n} devices: ${w.waves} waves, ${w.requests} requests (inspectAccount ${Math.round(w.inspectMs)} ms in Node)`);
    });
  }

  // 1 + 2. The extension in each browser and the matrix-js-sdk baseline, interleaved: round i is
  // one run in each browser, then one SDK cold start (while i < baselineRuns), so load from other
  // processes on a shared machine hits both sides alike.
  const uiBenches: UiBench[] = [];
  for (const name of browsers) {
    await section(`time_to_status ${name}`, async () => {
      const bench = await openUiBench(name, targets, { timeoutMs: UI_TIMEOUT_MS, log: say, extensionDir: benchBuilds[name] });
      cleanups.push(() => bench.close());
      uiBenches.push(bench);
    });
  }
  const baselineErrors: string[] = [];
  for (const n of deviceCounts) {
    const ui = new Map(uiBenches.map((b) => [b.name, [] as UiSample[]]));
    const failedUi = new Set<BrowserName>();
    const sdk: SdkRun[] = [];
    let sdkFailed = 0;
    const raw: RawSamples = emptySamples();
    const { user } = accounts.get(n)!.account;
    for (let i = 0; i < Math.max(uiRuns, baselineRuns); i++) {
      for (const bench of uiBenches) {
        if (i >= uiRuns || failedUi.has(bench.name)) continue;
        // Cold first (background stopped just before), then warm (it is running and has just
        // read this account), then the floor in an empty page of the same browser.
        await section(`time_to_status ${bench.name} ${n}`, async () => {
          try {
            for (const mode of ['cold', 'warm'] as const) {
              const sample = await bench.run(n, { cold: mode === 'cold' });
              if (mode === 'warm') ui.get(bench.name)!.push(sample);
              raw.verdict[bench.name][mode].push(sample.verdictMs);
              raw.popupStart[bench.name][mode].push(sample.openMs);
              raw.driver[bench.name][mode].push(sample.ms);
              raw.healthy.push(sample.healthy);
            }
          } catch (e) {
            failedUi.add(bench.name); // no more runs of this cell
            throw e;
          }
        });
        await section(`floor ${bench.name} ${n}`, async () => {
          const f = await bench.floor(n);
          if (f.valid !== f.signatures) throw new Error(`the floor verified ${f.valid} of ${f.signatures} signatures`);
          raw.floorEmptyStart[bench.name].push(f.emptyStartMs);
          raw.floorWork[bench.name].push(f.ms);
        });
        // "Show all" exists beyond 200 devices (src/popup/components/devices-table.tsx).
        if (n > 200) {
          await section(`scroll ${bench.name} ${n}`, async () => {
            const sc = await bench.scroll(n);
            if (!sc.reachedEnd) throw new Error(`scrolling did not reach device ${n} in ${sc.frames} frames`);
            raw.scrollShowAll[bench.name].push(sc.showAllMs);
            raw.scrollMaxFrame[bench.name].push(sc.maxFrameMs);
          });
        }
      }
      if (i < baselineRuns) {
        await section(`baseline ${n}`, async () => {
          const r = await sdkColdStart(hs, user, { timeoutMs: SDK_TIMEOUT_MS, logDir });
          if (!isFailure(r)) {
            sdk.push(r);
            raw.sdkCold.push(r.process_ms);
            raw.sdkRunning.push(r.running_ms);
            raw.sdkRssKib.push(r.max_rss_kb);
            return;
          }
          sdkFailed++;
          baselineErrors.push(r.error);
          say(`baseline ${n} devices, run ${i + 1}: ERROR ${r.error}\n${r.stack ?? ''}\n${r.logTail}`);
        });
        await section(`cli ${n}`, async () => {
          const r = await cliColdStart(cli, { baseUrl: hs.baseUrl, accessToken: user.accessToken, userId: user.userId }, { timeoutMs: SDK_TIMEOUT_MS });
          raw.cliCold.push(r.ms);
          if (r.maxRssKb !== null) raw.cliRssKib.push(r.maxRssKb);
          raw.healthy.push(r.healthy && r.devices === n);
        });
      }
    }
    const e = perDevicesEntry(raw);
    (results.per_devices ??= {})[String(n)] = e;
    say(`${n} devices: verdict warm/cold chromium ${e.time_to_verdict_ms.chromium.warm?.median}/${e.time_to_verdict_ms.chromium.cold?.median}, firefox ${e.time_to_verdict_ms.firefox.warm?.median}/${e.time_to_verdict_ms.firefox.cold?.median}; floor ${e.floor_ms.chromium?.median}/${e.floor_ms.firefox?.median}; sdk cold ${e.sdk_cold_ms?.median} running ${e.sdk_running_ms?.median}; cli ${e.cli_cold_ms?.median} ms`);
    // Written after each device count: the largest takes longest.
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
    for (const [name, samples] of ui) {
      if (!samples.length) continue;
      (results.time_to_status_ms[name] ??= {})[String(n)] = {
        ...summarise(samples.map((s) => s.ms)),
        all_healthy: samples.every((s) => s.healthy),
        open_retries: samples.flatMap((s) => s.retries),
      };
      say(`${name} ${n} devices: ${samples.map((s) => Math.round(s.ms)).join(', ')} ms`);
    }
    if (sdk.length) {
      const phaseNames = [...new Set(sdk.flatMap((r) => Object.keys(r.phases_ms)))];
      const phases = Object.fromEntries(phaseNames.map((p) => [p, round(median(sdk.map((r) => r.phases_ms[p] ?? Number.NaN)))]));
      const waves = sdkWaves(sdk[0]!, user.userId);
      const summary: BaselineSummary = {
        ...summarise(sdk.map((r) => r.process_ms)),
        phases_median_ms: phases,
        in_script_median_ms: round(median(sdk.map((r) => r.total_ms))),
        requests: waves.requests,
        waves: waves.waves,
        per_wave: waves.perWave,
        polyfills: sdk[0]!.polyfills,
        answers: sdk[0]!.answers,
        failed_runs: sdkFailed,
      };
      results.baseline_ms[String(n)] = summary;
      say(`baseline ${n} devices: ${summary.samples.map(Math.round).join(', ')} ms (${waves.requests} requests in ${waves.waves} waves)`);
    } else if (sdkFailed) {
      results.errors.push({ section: `baseline ${n}`, error: `every run failed: ${baselineErrors.at(-1) ?? '?'}` });
    }
  }
  for (const bench of uiBenches) await bench.close();
  if (baselineErrors.length) results.baseline_error = [...new Set(baselineErrors)].join(' | ');

  for (const n of deviceCounts) {
    const sdk = results.baseline_ms[String(n)]?.median;
    results.baseline_ratio[String(n)] = {
      chromium: ratio(sdk, results.time_to_status_ms.chromium?.[String(n)]?.median),
      firefox: ratio(sdk, results.time_to_status_ms.firefox?.[String(n)]?.median),
    };
  }
} catch (e) {
  results.errors.push({ section: 'bench', error: message(e) });
  say(`FAILED: ${message(e)}`);
} finally {
  await cleanUp();
}

for (const problem of perDevicesProblems(results.per_devices ?? {}, { minSamples: Math.min(uiRuns, baselineRuns) })) results.errors.push({ section: 'per_devices schema', error: problem });
results.total_run_ms = Math.round(performance.now() - started);
results.machine.load_avg_1m.end = loadAverage();
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(outDir, 'results.md'), renderMarkdown(results));
say(`wrote ${relative(process.cwd(), join(outDir, 'results.json'))} and results.md`);
if (results.errors.length) {
  for (const e of results.errors) console.error(`bench: ${e.section}: ${e.error}`);
  process.exit(1);
}
process.exit(0);
