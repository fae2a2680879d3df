// Builds every artefact from one source manifest:
//   npm run build       → dist/chrome, dist/firefox, dist/xsign-doctor-chrome.zip,
//                         dist/xsign-doctor-firefox.xpi, dist/cli/xsign-doctor.cjs, dist/core
//   npm run build:test  → dist/test-chrome, dist/test-firefox (adds localhost host_permissions,
//                         because a popup opened as a tab in an automated run never gets activeTab)
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createZip } from './zip.mjs';
import { READER_ENTRIES, bundleReader } from './reader-bundle.mjs';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const isTest = process.argv.includes('--test');
const started = performance.now();

const sourceManifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
if (sourceManifest.version !== pkg.version) {
  throw new Error(`manifest.json version ${sourceManifest.version} differs from package.json ${pkg.version}`);
}

/** Per-browser manifest: Chrome wants a service worker, Firefox an event page plus gecko settings. */
export function manifestFor(browser, { test = false } = {}) {
  const m = structuredClone(sourceManifest);
  if (browser === 'chrome') {
    delete m.browser_specific_settings;
    m.background = { service_worker: 'background.js' };
  } else {
    delete m.minimum_chrome_version;
    m.background = { scripts: ['background.js'] };
  }
  if (test) m.host_permissions = ['http://localhost/*', 'http://127.0.0.1/*'];
  return m;
}

const extensionOptions = {
  absWorkingDir: root,
  bundle: true,
  target: ['chrome120', 'firefox128'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};

/**
 * background.js stays one classic script (Chrome's service worker and Firefox's event page load it
 * the same way). The popup is ESM with splitting: popup.html loads popup.js as a module, and each
 * dynamic import() (the repair chunk, src/popup/components/lazy-repair-views.ts) becomes a file in
 * chunks/, with the code it shares with popup.js in a chunk both import. MV3's `script-src 'self'`
 * allows both: they are the extension's own files.
 */
async function bundleExtension(outdir) {
  await esbuild.build({ ...extensionOptions, entryPoints: { background: 'src/background/index.ts' }, format: 'iife', outdir });
  await esbuild.build({
    ...extensionOptions,
    entryPoints: { popup: 'src/popup/index.tsx' },
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outdir,
  });
}

/** Page readers, injected with scripting.executeScript({ files }) (see reader-bundle.mjs). */
async function bundleReaders(outdir) {
  mkdirSync(join(outdir, 'readers'), { recursive: true });
  for (const [name, entry] of Object.entries(READER_ENTRIES)) {
    writeFileSync(join(outdir, 'readers', `${name}.js`), await bundleReader(entry, { root }));
  }
}

function copyPublic(outdir) {
  cpSync(join(root, 'public'), outdir, { recursive: true });
}

function listFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out;
}

function zipDir(dir, file) {
  const files = listFiles(dir).map((path) => ({ name: relative(dir, path), data: readFileSync(path) }));
  writeFileSync(file, createZip(files));
}

async function buildTarget(browser, name, test) {
  const outdir = join(dist, name);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await bundleExtension(outdir);
  await bundleReaders(outdir);
  copyPublic(outdir);
  writeFileSync(join(outdir, 'manifest.json'), JSON.stringify(manifestFor(browser, { test }), null, 2) + '\n');
  return outdir;
}

async function buildCli() {
  rmSync(join(dist, 'cli'), { recursive: true, force: true });
  const common = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    // CommonJS, not ESM: Node's ES module loader reads the entry through libuv's thread pool,
    // which starts the pool before the CLI can size it (src/cli/thread-pool.ts), and its
    // per-module machinery costs a cold start a few milliseconds more.
    format: 'cjs',
    target: 'node20',
    legalComments: 'none',
    logLevel: 'warning',
  };
  // The entry file stays small: it sends status's first request before the rest of the CLI
  // (src/cli/main.ts, a file of its own) is compiled (docs/design.md#cli-early-read).
  await esbuild.build({
    ...common,
    entryPoints: ['src/cli/index.ts'],
    outfile: join(dist, 'cli/xsign-doctor.cjs'),
    banner: { js: '#!/usr/bin/env node' },
    supported: { 'dynamic-import': false }, // import('./main.ts') becomes a require of the other file
    plugins: [{
      name: 'cli-main-file',
      setup(build) {
        build.onResolve({ filter: /^\.\/main\.ts$/ }, () => ({ path: './xsign-doctor-main.cjs', external: true }));
      },
    }],
  });
  await esbuild.build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: join(dist, 'cli/xsign-doctor-main.cjs') });
  chmodSync(join(dist, 'cli/xsign-doctor.cjs'), 0o755);
}

/** The core as a library (package.json exports["./core"]): ESM with its deps external, plus .d.ts. */
async function buildCore() {
  rmSync(join(dist, 'core'), { recursive: true, force: true });
  await esbuild.build({
    entryPoints: ['src/core/index.ts'],
    absWorkingDir: root,
    bundle: true,
    platform: 'neutral',
    format: 'esm',
    target: 'es2022',
    packages: 'external',
    outfile: join(dist, 'core/index.js'),
    logLevel: 'warning',
  });
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.core.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  // Declarations keep the sources' `.ts` specifiers; consumers resolve the emitted `.js`/`.d.ts`.
  for (const file of listFiles(join(dist, 'core')).filter((f) => f.endsWith('.d.ts'))) {
    writeFileSync(file, readFileSync(file, 'utf8').replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1.js$2'));
  }
}

if (isTest) {
  await buildTarget('chrome', 'test-chrome', true);
  await buildTarget('firefox', 'test-firefox', true);
} else {
  const chrome = await buildTarget('chrome', 'chrome', false);
  const firefox = await buildTarget('firefox', 'firefox', false);
  zipDir(chrome, join(dist, 'xsign-doctor-chrome.zip'));
  zipDir(firefox, join(dist, 'xsign-doctor-firefox.xpi'));
  await buildCli();
  await buildCore();
}
console.log(`built ${isTest ? 'test builds' : 'extension, packages, CLI and core'} in ${Math.round(performance.now() - started)} ms`);
