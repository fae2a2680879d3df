/** The shape of bench/results.json, and its rendering as bench/results.md. */
import type { MachineInfo } from './machine.ts';
import type { SizesResult } from './sizes.ts';
import type { Summary } from './stats.ts';
import type { VerifyResult } from './verify.ts';
import type { Cell, PerDevices } from './per-devices.ts';

export type Browser = 'chromium' | 'firefox';

export type UiSummary = Summary & {
  all_healthy: boolean;
  /** Driver failures to open the UI page; each attempt was discarded and the run started over. */
  open_retries: string[];
};

export type BaselineSummary = Summary & {
  /** Medians of the time (from the script's first line) at which each answer was ready. */
  phases_median_ms: Record<string, number>;
  /** Median from the script's first line to all answers: the run without Node's start-up and exit. */
  in_script_median_ms?: number;
  /** Of the first successful run, by the same overlap rule as request_waves. */
  requests: number;
  waves: number;
  per_wave: string[][];
  polyfills: string[];
  answers: Record<string, unknown>;
  failed_runs: number;
};

export type WavesEntry = { waves: number; requests: number; per_wave: string[][]; core_inspect_node_ms: number; healthy: boolean; devices_in_report: number };

export type Results = {
  schema: 1 | 2;
  date: string;
  machine: MachineInfo;
  config: { device_counts: number[]; ui_runs: number; baseline_runs: number; verify_signatures: number };
  time_to_status_ms: Partial<Record<Browser, Record<string, UiSummary>>>;
  baseline_ms: Record<string, BaselineSummary>;
  /** matrix-js-sdk median / our median, per device count. */
  baseline_ratio: Record<string, { chromium: number | null; firefox: number | null }>;
  baseline_error: string | null;
  verify_per_sig_ms: VerifyResult | null;
  sizes_bytes: SizesResult | null;
  request_waves: { goal: number; per_device_count: Record<string, WavesEntry> };
  /** Issue 16's schema (bench/lib/per-devices.ts); absent in schema 1 results. */
  per_devices?: Record<string, PerDevices>;
  errors: { section: string; error: string }[];
  total_run_ms: number;
  method: string[];
};

export const METHOD = [
  'time_to_status_ms: wall time from the harness calling openUi(tabId) (a fresh extension page, popup.html?tabId=N, on the same Element-style web-app tab) to [data-testid="status-verdict"] present in the DOM. Every run re-reads the session from the tab, validates it (whoami) and inspects the account (keys/query, account data, backup). Headless Chromium via Playwright, Firefox ESR via puppeteer-core/WebDriver BiDi; detection latency of the drivers is included.',
  'Accounts: e2e/harness/identity.ts buildAccount(hs, "healthy", {devices: N}) on a throw-away local Synapse (one per bench run), every device cross-signed, 4S and key backup set up.',
  'baseline: matrix-js-sdk + @matrix-org/matrix-sdk-crypto-wasm in a fresh Node process per run, on its own freshly logged-in device (logged out after the run, so it is the account\'s N+1th device while it runs). Timed from spawn to exit by the bench, as the CLI is (Node\'s start-up and exit included); its phases from the script\'s first line, before importing the SDK. It answers: createClient, initRustCrypto({useIndexedDB:false}), one pass of the queued outgoing requests (own device-key upload + keys/query; what the /sync loop would trigger), getUserDeviceInfo([user], true), getCrossSigningStatus, isSecretStorageReady, getKeyBackupInfo + isKeyBackupTrusted, getDeviceVerificationStatus for every device. Independent calls run concurrently (the SDK\'s best case). No /sync. Node-side, so no page load.',
  'baseline_ratio = SDK median / our median for the same device count (ours in Chromium and in Firefox). > 1 means the extension is faster. The runs are interleaved (per device count, round i = one run in each browser, then one SDK cold start), so load from other processes affects both sides alike.',
  'request_waves: the core\'s inspectAccount in Node with createMatrixClient({onRequest}); each request\'s interval is [end - ms, end]; overlapping requests form one wave. Counted after the session is known (no whoami).',
  'verify_per_sig_ms: Node, config.verify_signatures distinct device_keys objects signed by one self-signing key; per signature, one at a time, after a 100-signature warm-up; "64 in flight" = the concurrency the core uses for device checks.',
  'sizes_bytes: files of the production build; gzip = zlib level 9.',
];

const fmt = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined ? '—' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const range = (s: Summary | undefined): string => (s ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : '—');
const kib = (bytes: number): string => `${fmt(bytes)} (${fmt(bytes / 1024, 1)} KiB)`;

const cellText = (c: Cell | null | undefined): string => (c ? `${fmt(c.median)} (${fmt(c.min)}–${fmt(c.max)})` : '—');
const times = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${fmt(v, 2)}×`);

/** The issue 16 tables: per device count, in-page verdict vs floor, SDK and CLI, memory, ratios. */
export function renderPerDevices(per: Record<string, PerDevices>): string[] {
  const out: string[] = [];
  const counts = Object.keys(per).sort((a, b) => Number(a) - Number(b));
  const samples = Object.values(per)[0]?.time_to_verdict_ms.chromium.warm?.samples.length ?? 0;
  out.push('## Time to verdict against the floor and matrix-js-sdk (ms)', '');
  out.push(`Median (min–max), ${samples} runs per cell. Every field is explained under the tables.`, '');
  out.push('| devices | floor Chromium | verdict Chromium warm | cold | floor Firefox | verdict Firefox warm | cold | SDK cold | SDK running | CLI cold |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of counts) {
    const e = per[c]!;
    out.push(`| ${c} | ${cellText(e.floor_ms.chromium)} | ${cellText(e.time_to_verdict_ms.chromium.warm)} | ${cellText(e.time_to_verdict_ms.chromium.cold)} | ${cellText(e.floor_ms.firefox)} | ${cellText(e.time_to_verdict_ms.firefox.warm)} | ${cellText(e.time_to_verdict_ms.firefox.cold)} | ${cellText(e.sdk_cold_ms)} | ${cellText(e.sdk_running_ms)} | ${cellText(e.cli_cold_ms)} |`);
  }
  out.push('', '### Ratios of medians, against the goals', '');
  out.push('| devices | verdict ÷ floor, Chromium (goal ≤ 1.3) | Firefox (≤ 1.5) | SDK cold ÷ CLI (≥ 3.5 at 1 000, ≥ 4 at 5 000) | SDK running ÷ verdict, Chromium (≥ 2.5 at 1 000) | Firefox (≥ 1.8 at 1 000) |');
  out.push('|---:|---:|---:|---:|---:|---:|');
  for (const c of counts) {
    const r = per[c]!.ratios;
    out.push(`| ${c} | ${times(r.verdict_over_floor.chromium)} | ${times(r.verdict_over_floor.firefox)} | ${times(r.sdk_cold_over_cli)} | ${times(r.sdk_running_over_verdict.chromium)} | ${times(r.sdk_running_over_verdict.firefox)} |`);
  }
  out.push('', '### Where the floor and the popup start go; peak memory', '');
  out.push('| devices | empty page start, Chromium | bare requests + parse + verify, Chromium | empty page start, Firefox | bare work, Firefox | popup script start, Chromium warm / cold | Firefox warm / cold | driver-observed verdict, Chromium warm | Firefox warm | peak RSS CLI (MiB) | peak RSS SDK (MiB) |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const mib = (c: Cell | null | undefined) => (c ? fmt(c.median / 1024, 0) : '—');
  for (const c of counts) {
    const e = per[c]!;
    const ps = e.popup_start_ms;
    out.push(`| ${c} | ${cellText(e.floor_parts_ms.chromium?.empty_popup_start)} | ${cellText(e.floor_parts_ms.chromium?.requests_parse_verify)} | ${cellText(e.floor_parts_ms.firefox?.empty_popup_start)} | ${cellText(e.floor_parts_ms.firefox?.requests_parse_verify)} | ${fmt(ps.chromium.warm?.median)} / ${fmt(ps.chromium.cold?.median)} | ${fmt(ps.firefox.warm?.median)} / ${fmt(ps.firefox.cold?.median)} | ${cellText(e.driver_time_to_verdict_ms.chromium.warm)} | ${cellText(e.driver_time_to_verdict_ms.firefox.warm)} | ${mib(e.peak_memory_kib.cli)} | ${mib(e.peak_memory_kib.sdk)} |`);
  }
  const scrolled = counts.filter((c) => per[c]!.scroll_ms && (per[c]!.scroll_ms.chromium.max_frame || per[c]!.scroll_ms.firefox.max_frame));
  if (scrolled.length) {
    out.push('', '### "Show all" and scrolling the device table (in page, warm; goal: no frame over 50 ms)', '');
    out.push('| devices | Show all → painted, Chromium | longest frame scrolling, Chromium | Show all → painted, Firefox | longest frame, Firefox |');
    out.push('|---:|---:|---:|---:|---:|');
    for (const c of scrolled) {
      const sc = per[c]!.scroll_ms;
      out.push(`| ${c} | ${cellText(sc.chromium.show_all)} | ${cellText(sc.chromium.max_frame)} | ${cellText(sc.firefox.show_all)} | ${cellText(sc.firefox.max_frame)} |`);
    }
  }
  const unhealthy = counts.filter((c) => !per[c]!.all_healthy);
  if (unhealthy.length) out.push('', `**Not every run answered "healthy" with every device** at ${unhealthy.join(', ')} devices; see results.json.`);
  out.push('', ...PER_DEVICES_FIELDS.map((line) => `- ${line}`), '');
  return out;
}

/** One sentence per field of per_devices.<N>, rendered under the tables. */
export const PER_DEVICES_FIELDS = [
  '`time_to_verdict_ms.<browser>.warm`: in the page, from popup.html\'s navigation start to the moment a MutationObserver (src/popup/index.tsx) sees `[data-testid="status-verdict"]` in the DOM, with the background already running and having read this account before (so its verified-signature memory, src/core/verify-cache.ts, is warm); the drivers\' page creation and polling are not in it.',
  '`time_to_verdict_ms.<browser>.cold`: the same, with the background stopped just before the run (Chromium: the service worker; Firefox: the event page), so its start-up, WebCrypto probe and every verification are in it.',
  '`floor_ms.<browser>`: what any tool must spend, measured in the same browser: an empty extension page\'s start-up (navigation start to its only script running) plus, in that page, the same 8 requests in the same 2 waves with bare `fetch`, `JSON.parse`, and WebCrypto Ed25519 verification of the same signatures (one key import per device), all at once (bench/lib/floor.ts); `floor_parts_ms` splits it in two.',
  '`popup_start_ms`: navigation start to the popup\'s script running, the part of the verdict time the empty page\'s start-up stands for.',
  '`driver_time_to_verdict_ms`: the older measure (openUi() call to the driver seeing the verdict), kept to show what the drivers add.',
  '`sdk_cold_ms`: matrix-js-sdk 43 with its Rust crypto in a fresh Node process answering the same questions (cross-signing status, every device\'s verification, secret storage ready, backup trusted) (bench/sdk-cold-start.mjs), spawn to exit, timed by the bench as `cli_cold_ms` is. Until 2026-12-06 it was timed inside the process from the script\'s first line, which left out Node\'s start-up and exit (the CLI\'s time had them): about 110 ms here at 1 000 devices (medians 1 749 and 1 637 ms in one run).',
  '`sdk_running_ms`: the same run minus the SDK\'s import and initRustCrypto: the answers from a client whose start-up is done (it still fetches the device list, as our popup does).',
  '`cli_cold_ms`: `xsign-doctor status --json --account USER` (the production CLI bundle) as a fresh Node process, spawn to exit, on the same account (bench/lib/cli-cold.ts). `--account` gives it the user ID the SDK is given (createClient\'s userId), so its reads start beside whoami, which still checks it; status also reads the people you verified (a filtered /sync, member lists, their keys), beside the account\'s reads, which the SDK baseline does not.',
  '`peak_memory_kib`: maximum resident set of the CLI process (GNU time %M) and of the SDK process (process.resourceUsage().maxRSS).',
  '`scroll_ms`: where "Show all" exists (more than 200 devices), in the page: from its click to the virtualized table drawn and a frame painted, and the longest interval between animation frames while the table is scrolled to its end one screen per frame.',
  '`ratios`: from the medians; `verdict_over_floor` uses the warm verdict, `sdk_cold_over_cli` how many times faster the CLI is than a cold SDK, `sdk_running_over_verdict` how many times faster the warm popup is than an already-running SDK.',
];

export function renderMarkdown(r: Results): string {
  const counts = r.config.device_counts.map(String);
  const out: string[] = [];
  const m = r.machine;
  out.push('# Cross-Signing Doctor benchmarks', '');
  out.push(`Generated by \`npm run bench\` on ${r.date.slice(0, 10)} (${fmt(r.total_run_ms / 1000)} s run). Raw numbers and every sample: [results.json](results.json).`, '');
  out.push(`Machine: ${m.cpus} × ${m.cpu_model}, ${m.memory_gib} GiB, ${m.os}, 1-min load average ${m.load_avg_1m.start} at the start (${m.load_avg_1m.end ?? '?'} at the end, with the bench's own browsers and Synapse); Node ${m.node}; ${m.chromium}; ${m.firefox}; Synapse ${m.synapse}; matrix-js-sdk ${m.matrix_js_sdk ?? '—'} with matrix-sdk-crypto-wasm ${m.matrix_sdk_crypto_wasm ?? '—'}.`, '');

  const load = m.load_avg_1m;
  if (load.start > m.cpus / 2) {
    out.push(`**Note:** other work was running when this bench started (1-minute load average ${load.start} on ${m.cpus} CPUs), so absolute times are inflated and noisy; the interleaved runs keep the ratios comparable.`, '');
  }
  if (r.per_devices && Object.keys(r.per_devices).length) out.push(...renderPerDevices(r.per_devices));
  out.push('## Time to a complete status, driver-observed (ms)', '');
  out.push(`Median (min–max) of ${r.config.ui_runs} runs per cell for the extension, ${r.config.baseline_runs} for the baseline. Extension: from opening its UI to the full report rendered. Baseline: matrix-js-sdk with Rust crypto, cold start in Node, same account, same server.`, '');
  out.push('| devices | extension, Chromium | extension, Firefox | matrix-js-sdk + Rust crypto (Node) | SDK ÷ Chromium | SDK ÷ Firefox |');
  out.push('|---:|---:|---:|---:|---:|---:|');
  for (const c of counts) {
    const ratio = r.baseline_ratio[c];
    const x = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${fmt(v, 1)}×`);
    out.push(`| ${c} | ${range(r.time_to_status_ms.chromium?.[c])} | ${range(r.time_to_status_ms.firefox?.[c])} | ${range(r.baseline_ms[c])} | ${x(ratio?.chromium)} | ${x(ratio?.firefox)} |`);
  }
  out.push('');
  const notes: string[] = [];
  for (const [browser, cells] of Object.entries(r.time_to_status_ms)) {
    for (const [count, cell] of Object.entries(cells ?? {})) {
      if (!cell.all_healthy) notes.push(`${browser}, ${count} devices: a run rendered a verdict other than healthy.`);
      if (cell.open_retries.length) notes.push(`${browser}, ${count} devices: the driver failed to open the UI page ${cell.open_retries.length}× (\`${cell.open_retries[0]}\`); those attempts were discarded and the runs repeated.`);
    }
  }
  for (const line of notes) out.push(`- ${line}`);
  if (notes.length) out.push('');
  if (r.baseline_error) out.push(`**Baseline error:** \`${r.baseline_error}\``, '');
  const phaseCounts = counts.filter((c) => r.baseline_ms[c]);
  if (phaseCounts.length) {
    out.push('Baseline breakdown (medians, ms since process start, when each answer was ready):', '');
    out.push('| devices | SDK imported | initRustCrypto done | device list | all devices checked | secret storage | backup | requests / waves | devices seen (cross-signed) |');
    out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const c of phaseCounts) {
      const b = r.baseline_ms[c]!;
      const p = b.phases_median_ms;
      const initDone = p['import'] !== undefined && p['init_rust_crypto'] !== undefined ? p['import'] + p['init_rust_crypto'] : undefined;
      const a = b.answers;
      const seen = typeof a['devicesSeen'] === 'number' ? `${a['devicesSeen']} (${String(a['otherDevicesSignedByOwner'])} of ${String(a['otherDevices'])} others)` : '—';
      out.push(`| ${c} | ${fmt(p['import'])} | ${fmt(initDone)} | ${fmt(p['device_list_ms'])} | ${fmt(p['devices_checked_ms'])} | ${fmt(p['secret_storage_ms'])} | ${fmt(p['backup_ms'])} | ${b.requests} / ${b.waves} | ${seen} |`);
    }
    const polyfills = [...new Set(phaseCounts.flatMap((c) => r.baseline_ms[c]!.polyfills))];
    out.push('', 'Devices seen include the SDK\'s own device; "others" are the account\'s N devices, cross-signed = getDeviceVerificationStatus().signedByOwner. Full answers (cross-signing status, secret storage, backup trust) are in results.json.');
    out.push('', 'Requests / waves: the SDK\'s first run, counted by the same overlap rule as below; its chains of dependent secret-storage reads overlap with other requests, so the wave count is a lower bound on its sequential round trips.');
    if (polyfills.length) out.push('', `The SDK requires Node ≥ 22; on ${m.node} the bench adds the standard \`${polyfills.join('`, `')}\` before loading it.`);
    out.push('');
  }

  out.push('## Request waves (after the session is known)', '');
  out.push(`Goal: ${r.request_waves.goal}. Measured on the core's \`inspectAccount\` through \`createMatrixClient\`'s \`onRequest\` hook; overlapping requests count as one wave.`, '');
  out.push('| devices | waves | requests | wave contents | inspectAccount in Node (ms) | report healthy |');
  out.push('|---:|---:|---:|---|---:|---|');
  for (const c of counts) {
    const w = r.request_waves.per_device_count[c];
    if (!w) continue;
    const contents = w.per_wave.map((wave, i) => `${i + 1}: ${wave.length} (${[...new Set(wave.map((l) => l.replace(/^\w+ /, '').replace(/^\/user\/\{user\}\/account_data\//, 'account_data ')))].join(', ')})`).join('<br>');
    out.push(`| ${c} | ${w.waves} | ${w.requests} | ${contents} | ${fmt(w.core_inspect_node_ms)} | ${w.healthy ? 'yes' : 'no'} |`);
  }
  out.push('');

  const v = r.verify_per_sig_ms;
  if (v) {
    out.push('## Signature verification (ms per signature)', '');
    out.push(`${fmt(v.signatures)} device_keys objects (~${v.object_bytes} B of JSON each), ${v.runtime}.`, '');
    out.push('| backend | canonical JSON + verify | verify only | canonical JSON only | canonical JSON + verify, 64 in flight |');
    out.push('|---|---:|---:|---:|---:|');
    for (const [name, t] of Object.entries(v.detail)) {
      out.push(`| ${name === 'webcrypto' ? 'WebCrypto' : '@noble/ed25519'} | ${fmt(t.canonicalise_verify_ms, 3)} | ${fmt(t.verify_only_ms, 3)} | ${fmt(t.canonicalise_only_ms, 4)} | ${fmt(t.canonicalise_verify_concurrent64_ms, 3)} |`);
    }
    out.push('');
  }

  const s = r.sizes_bytes;
  if (s) {
    out.push('## Sizes (bytes)', '');
    out.push('| artefact | raw | gzip -9 |');
    out.push('|---|---:|---:|');
    for (const [name, size] of Object.entries(s.bundles)) out.push(`| ${name} | ${kib(size.raw)} | ${kib(size.gzip)} |`);
    for (const [name, size] of Object.entries(s.packages)) out.push(`| **${name}** | ${kib(size.raw)} | ${kib(size.gzip)} |`);
    for (const [name, size] of Object.entries(s.comparison)) out.push(`| *for comparison:* ${name} ${size.version} (node_modules) | ${kib(size.raw)} | ${kib(size.gzip)} |`);
    out.push('', s.note, '');
  }

  if (r.errors.length) {
    out.push('## Failures', '');
    for (const e of r.errors) out.push(`- **${e.section}:** \`${e.error.replace(/`/g, "'").replace(/\n/g, ' ')}\``);
    out.push('');
  }

  out.push('## Method', '');
  for (const line of r.method) out.push(`- ${line}`);
  out.push('');
  return out.join('\n');
}
