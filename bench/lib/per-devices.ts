/**
 * results.json `per_devices.<N>` (issue 16's schema): per device count, the floor, the popup's
 * in-page time to verdict (warm and cold) in each browser, matrix-js-sdk cold and already running,
 * the CLI cold, peak memory, and ratios of medians. Built from the raw samples by
 * `perDevicesEntry`; `perDevicesProblems` is the schema check the writer runs before saving.
 */
import { median, ratio, round } from './stats.ts';

export const BROWSERS = ['chromium', 'firefox'] as const;
export type BenchBrowser = (typeof BROWSERS)[number];

/** One measured quantity: median, min, max of `samples` (ms or KiB), samples in run order. */
export type Cell = { median: number; min: number; max: number; samples: number[] };
export type PerBrowser<T> = Record<BenchBrowser, T>;

export type PerDevices = {
  /** Bare requests + parse + verification in an empty extension page, plus that page's start-up. */
  floor_ms: PerBrowser<Cell | null>;
  /** The floor's two parts, for reading where it goes. */
  floor_parts_ms: PerBrowser<{ empty_popup_start: Cell; requests_parse_verify: Cell } | null>;
  /** In-page: navigation start of popup.html → verdict in the DOM. */
  time_to_verdict_ms: PerBrowser<{ warm: Cell | null; cold: Cell | null }>;
  /** In-page: navigation start → the popup's script running (its start-up). */
  popup_start_ms: PerBrowser<{ warm: Cell | null; cold: Cell | null }>;
  /** Driver-observed (openUi() → the driver sees the verdict), the older method, for comparison. */
  driver_time_to_verdict_ms: PerBrowser<{ warm: Cell | null; cold: Cell | null }>;
  sdk_cold_ms: Cell | null;
  sdk_running_ms: Cell | null;
  cli_cold_ms: Cell | null;
  peak_memory_kib: { cli: Cell | null; sdk: Cell | null };
  /**
   * In-page, warm, only where "Show all" exists (> 200 devices): click → the virtualized table
   * painted, and the longest frame while scrolling it to the end one screen per frame (goal: no
   * frame over 50 ms).
   */
  scroll_ms: PerBrowser<{ show_all: Cell | null; max_frame: Cell | null }>;
  ratios: {
    /** Warm time to verdict ÷ floor (goal ≤ 1.3 Chromium, ≤ 1.5 Firefox). */
    verdict_over_floor: PerBrowser<number | null>;
    /** matrix-js-sdk cold ÷ CLI cold (goal ≥ 3.5 at 1 000 devices, ≥ 4 at 5 000). */
    sdk_cold_over_cli: number | null;
    /** matrix-js-sdk already running ÷ warm time to verdict (goal ≥ 2.5 Chromium, ≥ 1.8 Firefox at 1 000). */
    sdk_running_over_verdict: PerBrowser<number | null>;
  };
  all_healthy: boolean;
};

export type RawSamples = {
  verdict: PerBrowser<{ warm: number[]; cold: number[] }>;
  popupStart: PerBrowser<{ warm: number[]; cold: number[] }>;
  driver: PerBrowser<{ warm: number[]; cold: number[] }>;
  floorEmptyStart: PerBrowser<number[]>;
  floorWork: PerBrowser<number[]>;
  scrollShowAll: PerBrowser<number[]>;
  scrollMaxFrame: PerBrowser<number[]>;
  sdkCold: number[];
  sdkRunning: number[];
  sdkRssKib: number[];
  cliCold: number[];
  cliRssKib: number[];
  healthy: boolean[];
};

export function emptySamples(): RawSamples {
  const pair = () => ({ warm: [] as number[], cold: [] as number[] });
  const per = <T>(make: () => T): PerBrowser<T> => ({ chromium: make(), firefox: make() });
  return {
    verdict: per(pair), popupStart: per(pair), driver: per(pair),
    floorEmptyStart: per(() => []), floorWork: per(() => []), scrollShowAll: per(() => []), scrollMaxFrame: per(() => []),
    sdkCold: [], sdkRunning: [], sdkRssKib: [], cliCold: [], cliRssKib: [], healthy: [],
  };
}

export function cell(samples: readonly number[]): Cell | null {
  if (samples.length === 0) return null;
  return { median: round(median(samples)), min: round(Math.min(...samples)), max: round(Math.max(...samples)), samples: samples.map((s) => round(s)) };
}

const pairCells = (p: { warm: number[]; cold: number[] }) => ({ warm: cell(p.warm), cold: cell(p.cold) });

export function perDevicesEntry(raw: RawSamples): PerDevices {
  const floor = (b: BenchBrowser): number[] => {
    // Sample i of the floor = empty start i + work i (measured in the same page).
    const n = Math.min(raw.floorEmptyStart[b].length, raw.floorWork[b].length);
    return Array.from({ length: n }, (_, i) => raw.floorEmptyStart[b][i]! + raw.floorWork[b][i]!);
  };
  const floorCells = { chromium: cell(floor('chromium')), firefox: cell(floor('firefox')) };
  const verdict = { chromium: pairCells(raw.verdict.chromium), firefox: pairCells(raw.verdict.firefox) };
  const sdkCold = cell(raw.sdkCold);
  const sdkRunning = cell(raw.sdkRunning);
  const cli = cell(raw.cliCold);
  const parts = (b: BenchBrowser) => {
    const start = cell(raw.floorEmptyStart[b]);
    const work = cell(raw.floorWork[b]);
    return start && work ? { empty_popup_start: start, requests_parse_verify: work } : null;
  };
  return {
    floor_ms: floorCells,
    floor_parts_ms: { chromium: parts('chromium'), firefox: parts('firefox') },
    time_to_verdict_ms: verdict,
    popup_start_ms: { chromium: pairCells(raw.popupStart.chromium), firefox: pairCells(raw.popupStart.firefox) },
    driver_time_to_verdict_ms: { chromium: pairCells(raw.driver.chromium), firefox: pairCells(raw.driver.firefox) },
    sdk_cold_ms: sdkCold,
    sdk_running_ms: sdkRunning,
    cli_cold_ms: cli,
    peak_memory_kib: { cli: cell(raw.cliRssKib), sdk: cell(raw.sdkRssKib) },
    scroll_ms: {
      chromium: { show_all: cell(raw.scrollShowAll.chromium), max_frame: cell(raw.scrollMaxFrame.chromium) },
      firefox: { show_all: cell(raw.scrollShowAll.firefox), max_frame: cell(raw.scrollMaxFrame.firefox) },
    },
    ratios: {
      verdict_over_floor: {
        chromium: ratio(verdict.chromium.warm?.median, floorCells.chromium?.median),
        firefox: ratio(verdict.firefox.warm?.median, floorCells.firefox?.median),
      },
      sdk_cold_over_cli: ratio(sdkCold?.median, cli?.median),
      sdk_running_over_verdict: {
        chromium: ratio(sdkRunning?.median, verdict.chromium.warm?.median),
        firefox: ratio(sdkRunning?.median, verdict.firefox.warm?.median),
      },
    },
    all_healthy: raw.healthy.length > 0 && raw.healthy.every(Boolean),
  };
}

/** The device counts issue 16 asks for. */
export const REQUIRED_DEVICE_COUNTS = [1, 100, 1000, 5000] as const;

function cellProblems(path: string, v: unknown, nullable = true): string[] {
  if (v === null) return nullable ? [] : [`${path} is null`];
  if (typeof v !== 'object' || v === undefined) return [`${path} is not a cell`];
  const c = v as Record<string, unknown>;
  const out: string[] = [];
  for (const k of ['median', 'min', 'max']) if (typeof c[k] !== 'number' || !Number.isFinite(c[k])) out.push(`${path}.${k} is not a finite number`);
  if (!Array.isArray(c['samples']) || !c['samples'].every((s) => typeof s === 'number')) out.push(`${path}.samples is not a list of numbers`);
  else if (typeof c['min'] === 'number' && typeof c['max'] === 'number' && typeof c['median'] === 'number' && !(c['min'] <= (c['median'] as number) && (c['median'] as number) <= c['max'])) out.push(`${path}: not min ≤ median ≤ max`);
  return out;
}

const ratioProblems = (path: string, v: unknown): string[] => (v === null || (typeof v === 'number' && Number.isFinite(v)) ? [] : [`${path} is not a number or null`]);

/**
 * Everything wrong with `per_devices` against the schema (empty = fine). `complete` also requires
 * every device count of REQUIRED_DEVICE_COUNTS and no null cell (a full run).
 */
export function perDevicesProblems(perDevices: unknown, opts: { complete?: boolean; minSamples?: number } = {}): string[] {
  if (typeof perDevices !== 'object' || perDevices === null) return ['per_devices is not an object'];
  const out: string[] = [];
  const entries = perDevices as Record<string, unknown>;
  if (opts.complete) for (const n of REQUIRED_DEVICE_COUNTS) if (!(String(n) in entries)) out.push(`per_devices.${n} is missing`);
  const nullable = opts.complete !== true;
  for (const [n, value] of Object.entries(entries)) {
    const p = `per_devices.${n}`;
    if (!/^[1-9]\d*$/.test(n)) out.push(`${p}: the key is not a device count`);
    const e = value as Partial<Record<keyof PerDevices, unknown>>;
    if (typeof e !== 'object' || e === null) {
      out.push(`${p} is not an object`);
      continue;
    }
    const cells: [string, unknown][] = [
      ['sdk_cold_ms', e.sdk_cold_ms], ['sdk_running_ms', e.sdk_running_ms], ['cli_cold_ms', e.cli_cold_ms],
    ];
    for (const b of BROWSERS) {
      cells.push([`floor_ms.${b}`, (e.floor_ms as PerBrowser<unknown> | undefined)?.[b]]);
      for (const w of ['warm', 'cold'] as const) {
        cells.push([`time_to_verdict_ms.${b}.${w}`, (e.time_to_verdict_ms as PerBrowser<Record<string, unknown>> | undefined)?.[b]?.[w]]);
      }
    }
    const mem = e.peak_memory_kib as { cli?: unknown; sdk?: unknown } | undefined;
    cells.push(['peak_memory_kib.cli', mem?.cli], ['peak_memory_kib.sdk', mem?.sdk]);
    for (const [path, v] of cells) {
      out.push(...cellProblems(`${p}.${path}`, v === undefined ? 'missing' : v, nullable));
      const samples = (v as Cell | null)?.samples;
      if (opts.minSamples !== undefined && Array.isArray(samples) && !path.startsWith('peak_memory') && samples.length < opts.minSamples) {
        out.push(`${p}.${path} has ${samples.length} samples, fewer than ${opts.minSamples}`);
      }
    }
    const r = e.ratios as PerDevices['ratios'] | undefined;
    if (!r) out.push(`${p}.ratios is missing`);
    else {
      for (const b of BROWSERS) {
        out.push(...ratioProblems(`${p}.ratios.verdict_over_floor.${b}`, r.verdict_over_floor?.[b]));
        out.push(...ratioProblems(`${p}.ratios.sdk_running_over_verdict.${b}`, r.sdk_running_over_verdict?.[b]));
      }
      out.push(...ratioProblems(`${p}.ratios.sdk_cold_over_cli`, r.sdk_cold_over_cli));
    }
  }
  return out;
}
