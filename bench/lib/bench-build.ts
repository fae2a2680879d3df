/**
 * The bench's extension builds: a copy of each test build plus one empty extension page
 * (bench-empty.html: the popup's HTML and CSS, a script that only sets a performance mark), whose
 * start-up is the "empty popup" part of the floor and in which the floor's bare requests run
 * (the test build's localhost host permission lets it fetch from Synapse). Copies, so the test
 * builds stay exactly what e2e/packages.test.ts checks.
 */
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserName } from '../../e2e/harness/browser-paths.ts';

export const EMPTY_PAGE = 'bench-empty.html';

const HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="color-scheme" content="light dark" />
    <title>empty</title>
    <link rel="stylesheet" href="popup.css" />
  </head>
  <body>
    <div id="root"></div>
    <script src="bench-empty.js"></script>
  </body>
</html>
`;

/** Writes dist/bench-chrome and dist/bench-firefox; returns the directory per browser. */
export function prepareBenchBuilds(root: string): Record<BrowserName, string> {
  const out = {} as Record<BrowserName, string>;
  for (const [browser, from, to] of [['chromium', 'test-chrome', 'bench-chrome'], ['firefox', 'test-firefox', 'bench-firefox']] as const) {
    const dir = join(root, 'dist', to);
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(root, 'dist', from), dir, { recursive: true });
    writeFileSync(join(dir, EMPTY_PAGE), HTML);
    writeFileSync(join(dir, 'bench-empty.js'), "performance.mark('xsd:open');\n");
    out[browser] = dir;
  }
  return out;
}
