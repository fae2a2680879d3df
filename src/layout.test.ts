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
