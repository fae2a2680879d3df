// Architecture guard: src/core stays pure (no extension APIs, no DOM, no global fetch, no imports
// from other layers) and only src/ext/api.ts imports webextension-polyfill.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const srcDir = new URL('.', import.meta.url).pathname;

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
const sources = (dir: string) => walk(join(srcDir, dir)).filter((p) => /\.tsx?$/.test(p) && !p.endsWith('.test.ts'));

/** Code without comments and string contents, so a comment that mentions `window.` is no violation. */
function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1')
    .replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, "''");
}

const FORBIDDEN_GLOBALS: [RegExp, string][] = [
  [/\bchrome\s*\./, 'chrome.*'],
  [/\bbrowser\s*\./, 'browser.*'],
  [/\bdocument\s*\./, 'document'],
  [/\bwindow\s*\./, 'window'],
  [/(?<![.\w])fetch\s*\(/, 'the global fetch (inject it)'],
  [/\blocalStorage\b|\bindexedDB\b/, 'web storage'],
];

export function coreViolations(file: string, text: string): string[] {
  const out: string[] = [];
  const code = codeOnly(text);
  for (const [re, what] of FORBIDDEN_GLOBALS) if (re.test(code)) out.push(`${file} touches ${what}`);
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    const spec = m[1]!;
    const allowedPackage = /^@noble\/|^@scure\/base/.test(spec);
    const relativeInCore = spec.startsWith('.') && !relative(join(srcDir, 'core'), join(file, '..', spec)).startsWith('..');
    if (!allowedPackage && !relativeInCore) out.push(`${file} imports ${spec}`);
  }
  return out;
}

test('src/core is pure: no extension APIs, DOM, global fetch, or imports from other layers', () => {
  const violations = sources('core').flatMap((file) => coreViolations(file, readFileSync(file, 'utf8')));
  assert.deepEqual(violations, []);
});

test('the guard really fires on each kind of violation', () => {
  const file = join(srcDir, 'core', 'x.ts');
  assert.equal(coreViolations(file, 'chrome.runtime.id').length, 1);
  assert.equal(coreViolations(file, 'await browser.tabs.query({})').length, 1);
  assert.equal(coreViolations(file, 'document.title').length, 1);
  assert.equal(coreViolations(file, 'window.location').length, 1);
  assert.equal(coreViolations(file, 'await fetch(url)').length, 1);
  assert.equal(coreViolations(file, "import { send } from '../ext/messaging.ts';").length, 1);
  assert.equal(coreViolations(file, "import x from 'webextension-polyfill';").length, 1);
  assert.deepEqual(coreViolations(file, "import { a } from './a.ts';\n// window.foo in a comment\nopts.fetch(url)"), []);
});

test('only src/ext/api.ts imports webextension-polyfill', () => {
  const importers = walk(srcDir)
    .filter((p) => /\.tsx?$/.test(p) && !p.endsWith('.test.ts') && /from\s+['"]webextension-polyfill['"]/.test(readFileSync(p, 'utf8')))
    .map((p) => relative(srcDir, p));
  assert.deepEqual(importers, ['ext/api.ts']);
});

test('only src/ext and the entry folders use browser.* / chrome.*', () => {
  const offenders = ['core', 'readers', 'cli']
    .flatMap((d) => sources(d))
    .filter((p) => /\b(?:chrome|browser)\s*\.\s*[a-z]/.test(codeOnly(readFileSync(p, 'utf8'))))
    .map((p) => relative(srcDir, p));
  assert.deepEqual(offenders, []);
});

/**
 * The repair layer (src/core/app) sits above the engine: nothing else in src/core imports it, and
 * the front ends reach repair building only through it (one path from each front end, so the
 * choice of builder and the refusals live in one place).
 */
const REPAIR_BUILDING_MODULE = /(?:^|\/)core\/repair\/(?:build-plans|plan-[a-z-]+)\.ts$/;
const REPAIR_BUILDING_NAME = /^(?:build[A-Z]\w*|plan[A-Z]\w*|checkKeyInput|findSourceKey|PlanRefusedError|BuiltPlan|PlanContext)$/;

export function appLayerViolations(file: string, text: string): string[] {
  const out: string[] = [];
  const rel = relative(srcDir, file);
  const inCore = rel.startsWith('core/');
  const inApp = rel.startsWith('core/app/');
  const frontEnd = rel.startsWith('cli/') || rel.startsWith('background/');
  for (const m of text.matchAll(/^\s*(?:import|export)\s([^'"]*?)from\s+['"]([^'"]+)['"]/gm)) {
    const spec = m[2]!;
    if (!spec.startsWith('.')) continue;
    const target = relative(srcDir, join(file, '..', spec));
    const toApp = target.startsWith('core/app/');
    if (inCore && !inApp && toApp) out.push(`${rel} imports ${spec}: only src/core/app imports src/core/app`);
    if (!frontEnd || toApp || !target.startsWith('core/')) continue;
    if (REPAIR_BUILDING_MODULE.test(target)) out.push(`${rel} imports ${spec}: front ends build repairs through src/core/app`);
    const names = (m[1]!.match(/\{([^}]*)\}/)?.[1] ?? '').split(',').map((n) => n.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!).filter((n) => n !== '');
    const building = names.filter((n) => REPAIR_BUILDING_NAME.test(n));
    if (building.length > 0) out.push(`${rel} imports ${building.join(', ')} from ${spec}: front ends build repairs through src/core/app`);
    if (/^\*/.test(m[1]!.trim()) && /core\/(?:index|repair\/)/.test(target)) out.push(`${rel} re-exports ${spec}: front ends build repairs through src/core/app`);
  }
  return out;
}

test('only src/core/app imports src/core/app within the core; the CLI and background build repairs only through it', () => {
  const violations = [...sources('core'), ...sources('cli'), ...sources('background')]
    .flatMap((file) => appLayerViolations(file, readFileSync(file, 'utf8')));
  assert.deepEqual(violations, []);
});

test('the app-layer guard really fires', () => {
  const inCore = join(srcDir, 'core', 'inspect', 'x.ts');
  const inApp = join(srcDir, 'core', 'app', 'x.ts');
  const cli = join(srcDir, 'cli', 'x.ts');
  const background = join(srcDir, 'background', 'x.ts');
  assert.equal(appLayerViolations(inCore, "import { prepareRepair } from '../app/prepare-repair.ts';").length, 1);
  assert.deepEqual(appLayerViolations(inApp, "import { describeRefusal } from './repair-request.ts';"), []);
  assert.equal(appLayerViolations(cli, "import { buildReset } from '../core/repair/build-plans.ts';").length, 2);
  assert.equal(appLayerViolations(background, "import type { PlanContext } from '../core/repair/build-plans.ts';").length, 2);
  assert.equal(appLayerViolations(background, "import { planCrossSignDevices } from '../core/repair/plan-devices.ts';").length, 2);
  assert.equal(appLayerViolations(cli, "import {\n  createMatrixClient, planResetCrossSigning,\n} from '../core/index.ts';").length, 1);
  assert.equal(appLayerViolations(cli, "export * from '../core/repair/build-plans.ts';").length, 2);
  assert.deepEqual(appLayerViolations(cli, "import { prepareRepair } from '../core/app/prepare-repair.ts';\nimport { executePlan } from '../core/index.ts';"), []);
});

/**
 * The page readers (src/readers/page/) are bundled and injected into the web app's tab
 * (docs/design.md#contexts). What they pull in runs in a hostile page and weighs on every
 * read, so from the entries only page code, pure core modules and the two dependency-free
 * modules the page and the parsers share (parse/types.ts, parse/sanitize.ts) may be reached:
 * never a parser, and never background, extension or UI code.
 */
const PAGE_SHARED = new Set(['readers/parse/types.ts', 'readers/parse/sanitize.ts']);

export function pageBundleViolations(entries: readonly string[], read: (rel: string) => string | undefined): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const visit = (rel: string, from: string) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    const allowed = rel.startsWith('readers/page/') || PAGE_SHARED.has(rel) || rel.startsWith('core/');
    if (!allowed) out.push(`${from} pulls ${rel} into the page bundle`);
    const text = read(rel);
    if (text === undefined) return;
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)) {
      visit(relative(srcDir, join(srcDir, rel, '..', m[1]!)), rel);
    }
  };
  for (const entry of entries) visit(entry, entry);
  return out;
}

test('the injected page readers reach no parser and no background code', () => {
  const entries = readdirSync(join(srcDir, 'readers', 'page')).filter((n) => n.endsWith('.entry.ts')).map((n) => `readers/page/${n}`);
  assert.ok(entries.length >= 2, 'both entries found');
  const read = (rel: string) => (existsSync(join(srcDir, rel)) ? readFileSync(join(srcDir, rel), 'utf8') : undefined);
  assert.deepEqual(pageBundleViolations(entries, read), []);
});

test('the page-bundle guard fires on a parser or background import, however indirect', () => {
  const files: Record<string, string> = {
    'readers/page/a.entry.ts': "import { b } from './b.ts';\nimport type { T } from '../parse/types.ts';",
    'readers/page/b.ts': "import { parseDump } from '../parse/parse-dump.ts';\nimport { ok } from '../../core/result.ts';",
    'readers/page/c.entry.ts': "import { MESSAGES } from '../parse/read-errors.ts';\nexport { x } from '../../background/read-tab.ts';",
  };
  const read = (rel: string) => files[rel];
  assert.deepEqual(pageBundleViolations(['readers/page/a.entry.ts'], read), ['readers/page/b.ts pulls readers/parse/parse-dump.ts into the page bundle']);
  assert.equal(pageBundleViolations(['readers/page/c.entry.ts'], read).length, 2);
});
