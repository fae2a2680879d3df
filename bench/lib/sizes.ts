/**
 * sizes_bytes: every shipped bundle and package of the production build, raw and gzip -9, next to
 * the Rust crypto WebAssembly that a matrix-js-sdk based extension would have to ship.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

export type Size = { raw: number; gzip: number; path: string };

export type SizesResult = {
  bundles: Record<string, Size>;
  packages: Record<string, Size>;
  comparison: Record<string, Size & { version: string }>;
  note: string;
};

function sizeOf(root: string, path: string): Size {
  const data = readFileSync(path);
  return { raw: data.length, gzip: gzipSync(data, { level: 9 }).length, path: relative(root, path) };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Sizes of the artefacts of `node scripts/build.mjs` in `dist`. */
export function measureSizes(root: string): SizesResult {
  const dist = join(root, 'dist');
  const bundles: Record<string, Size> = {};
  for (const target of ['chrome', 'firefox'] as const) {
    for (const file of ['background.js', 'popup.js']) bundles[`${target}/${file}`] = sizeOf(root, join(dist, target, file));
    // The page readers, and the popup's chunks (code it shares with the lazily loaded repair chunk, and that chunk).
    for (const sub of ['readers', 'chunks']) {
      const dir = join(dist, target, sub);
      if (!existsSync(dir)) continue;
      for (const file of filesUnder(dir).filter((f) => f.endsWith('.js'))) {
        bundles[`${target}/${relative(join(dist, target), file)}`] = sizeOf(root, file);
      }
    }
  }
  bundles['cli/xsign-doctor.cjs'] = sizeOf(root, join(dist, 'cli', 'xsign-doctor.cjs'));
  bundles['core/index.js'] = sizeOf(root, join(dist, 'core', 'index.js'));

  const packages: Record<string, Size> = {
    'xsign-doctor-chrome.zip': sizeOf(root, join(dist, 'xsign-doctor-chrome.zip')),
    'xsign-doctor-firefox.xpi': sizeOf(root, join(dist, 'xsign-doctor-firefox.xpi')),
  };

  const comparison: SizesResult['comparison'] = {};
  try {
    const require = createRequire(join(root, 'package.json'));
    // The package's exports hide package.json; resolve its entry and walk up to the package root.
    let dir = dirname(require.resolve('@matrix-org/matrix-sdk-crypto-wasm'));
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    const wasm = filesUnder(dir).find((f) => f.endsWith('.wasm'));
    if (wasm) comparison['matrix-sdk-crypto-wasm .wasm'] = { ...sizeOf(root, wasm), version };
  } catch {
    // not installed: nothing to compare with
  }
  return {
    bundles,
    packages,
    comparison,
    note:
      'Production build (node scripts/build.mjs): extension bundles minified; cli and core not minified; ' +
      'core/index.js keeps its dependencies (@noble/*, @scure/base) external. gzip = zlib level 9 of the file. ' +
      'zip/xpi are already compressed, so their gzip figure is for reference only.',
  };
}
