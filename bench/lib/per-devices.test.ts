import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptySamples, perDevicesEntry, perDevicesProblems, REQUIRED_DEVICE_COUNTS, type RawSamples } from './per-devices.ts';

/** Seven runs of everything, with numbers chosen so the medians and ratios are known. */
function fullSamples(): RawSamples {
  const raw = emptySamples();
  const seven = (m: number) => [m + 3, m - 2, m, m + 1, m - 1, m + 2, m - 3];
  for (const b of ['chromium', 'firefox'] as const) {
    raw.verdict[b].warm = seven(b === 'chromium' ? 260 : 390);
    raw.verdict[b].cold = seven(400);
    raw.popupStart[b].warm = seven(40);
    raw.popupStart[b].cold = seven(45);
    raw.driver[b].warm = seven(500);
    raw.driver[b].cold = seven(600);
    raw.floorEmptyStart[b] = seven(100);
    raw.floorWork[b] = seven(100);
  }
  raw.sdkCold = seven(1400);
  raw.sdkRunning = seven(780);
  raw.sdkRssKib = seven(300_000);
  raw.cliCold = seven(400);
  raw.cliRssKib = seven(90_000);
  raw.healthy = Array(28).fill(true);
  return raw;
}

test('perDevicesEntry: every field of the schema, medians, and ratios of medians', () => {
  const e = perDevicesEntry(fullSamples());
  assert.deepEqual(Object.keys(e).sort(), [
    'all_healthy', 'cli_cold_ms', 'driver_time_to_verdict_ms', 'floor_ms', 'floor_parts_ms', 'peak_memory_kib', 'popup_start_ms',
    'ratios', 'scroll_ms', 'sdk_cold_ms', 'sdk_running_ms', 'time_to_verdict_ms',
  ]);
  assert.deepEqual(Object.keys(e.time_to_verdict_ms.chromium).sort(), ['cold', 'warm']);
  assert.deepEqual(Object.keys(e.cli_cold_ms!).sort(), ['max', 'median', 'min', 'samples']);
  // The floor of run i is that run's empty-page start plus its requests in the same page.
  assert.equal(e.floor_ms.chromium!.median, 200);
  assert.equal(e.floor_ms.chromium!.samples.length, 7);
  assert.equal(e.time_to_verdict_ms.firefox.warm!.median, 390);
  assert.equal(e.cli_cold_ms!.min, 397);
  assert.equal(e.cli_cold_ms!.max, 403);
  assert.deepEqual(e.ratios, {
    verdict_over_floor: { chromium: 1.3, firefox: 1.95 },
    sdk_cold_over_cli: 3.5,
    sdk_running_over_verdict: { chromium: 3, firefox: 2 },
  });
  assert.equal(e.all_healthy, true);
  const perDevices = Object.fromEntries(REQUIRED_DEVICE_COUNTS.map((n) => [String(n), e]));
  assert.deepEqual(perDevicesProblems(JSON.parse(JSON.stringify(perDevices)), { complete: true, minSamples: 7 }), []);
});

test('missing measurements are null cells and null ratios, allowed unless the run must be complete', () => {
  const raw = fullSamples();
  raw.sdkCold = [];
  raw.floorWork.firefox = [];
  const e = perDevicesEntry(raw);
  assert.equal(e.sdk_cold_ms, null);
  assert.equal(e.floor_ms.firefox, null);
  assert.equal(e.ratios.sdk_cold_over_cli, null);
  assert.equal(e.ratios.verdict_over_floor.firefox, null);
  assert.deepEqual(perDevicesProblems({ 1000: e }), []);
  const complete = perDevicesProblems({ 1000: e }, { complete: true });
  assert.ok(complete.includes('per_devices.1000.sdk_cold_ms is null'), complete.join('\n'));
  assert.ok(complete.includes('per_devices.1000.floor_ms.firefox is null'));
  assert.ok(complete.includes('per_devices.1 is missing'));
  assert.ok(complete.includes('per_devices.5000 is missing'));
});

test('the schema check catches malformed entries', () => {
  const e = JSON.parse(JSON.stringify(perDevicesEntry(fullSamples())));
  e.cli_cold_ms.median = 'fast';
  e.time_to_verdict_ms.chromium.cold = { median: 5, min: 6, max: 7, samples: [5] };
  delete e.floor_ms.firefox;
  e.ratios.sdk_cold_over_cli = Number.NaN;
  const problems = perDevicesProblems({ 100: e, abc: perDevicesEntry(fullSamples()) }, { minSamples: 7 });
  assert.deepEqual(problems.sort(), [
    'per_devices.100.cli_cold_ms.median is not a finite number',
    'per_devices.100.floor_ms.firefox is not a cell',
    'per_devices.100.ratios.sdk_cold_over_cli is not a number or null',
    'per_devices.100.time_to_verdict_ms.chromium.cold has 1 samples, fewer than 7',
    'per_devices.100.time_to_verdict_ms.chromium.cold: not min ≤ median ≤ max',
    'per_devices.abc: the key is not a device count',
  ].sort());
  assert.deepEqual(perDevicesProblems(null), ['per_devices is not an object']);
});

test('results.md explains every field of per_devices.<N> in a sentence and renders each device count', async () => {
  const { PER_DEVICES_FIELDS, renderPerDevices } = await import('./results.ts');
  const e = perDevicesEntry(fullSamples());
  for (const field of ['scroll_ms', 'time_to_verdict_ms', 'floor_ms', 'sdk_cold_ms', 'sdk_running_ms', 'cli_cold_ms', 'peak_memory_kib', 'ratios', 'popup_start_ms', 'driver_time_to_verdict_ms']) {
    assert.ok(PER_DEVICES_FIELDS.some((line) => line.startsWith(`\`${field}`)), field);
  }
  const md = renderPerDevices({ 1: e, 1000: e }).join('\n');
  assert.match(md, /^\| 1 \| 200 \(/m);
  assert.match(md, /^\| 1000 \| 1\.30× \| 1\.95× \| 3\.50× \| 3\.00× \| 2\.00× \|$/m);
});
