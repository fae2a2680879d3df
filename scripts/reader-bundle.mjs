// Bundles a page reader (src/readers/page/*.entry.ts) into ONE classic script for
// `scripting.executeScript({ files: ['readers/<name>.js'] })`.
//
// executeScript returns a file script's completion value (the value of its last expression
// statement) and, when that is a promise, awaits it — in Chromium and Firefox alike. esbuild's
// iife output discards the entry's exports, so the bundle is built with a local global name and
// wrapped in one more arrow function whose value is the entry's default export:
//
//   (() => { "use strict"; var __xsignReader = (() => { …bundle… })(); return __xsignReader.default; })();
//
// The wrapper keeps `__xsignReader` local: nothing is left behind in the content-script world,
// and nothing ever touches the page's own globals.
import * as esbuild from 'esbuild';

export const READER_ENTRIES = {
  'page-reader': 'src/readers/page/page-reader.entry.ts',
  'element-live': 'src/readers/page/element-live.entry.ts',
};

const GLOBAL = '__xsignReader';

/** The reader as script text (not written anywhere). */
export async function bundleReader(entry, { root = process.cwd(), minify = true } = {}) {
  const result = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: 'iife',
    globalName: GLOBAL,
    platform: 'browser',
    target: ['chrome120', 'firefox128'],
    minify,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].text;
  return `(() => {\n${code}\nreturn ${GLOBAL}.default;\n})();\n`;
}
