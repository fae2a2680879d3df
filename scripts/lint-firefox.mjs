// web-ext lint on the Firefox build. Fails on any error; prints warnings. Preact's own
// innerHTML code raises UNSAFE_VAR_ASSIGNMENT, which app code cannot fix, so it is only listed.
import { execFileSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const dir = process.argv[2] ?? 'dist/firefox';
let out;
try {
  out = execFileSync(process.execPath, [`${root}node_modules/web-ext/bin/web-ext.js`, 'lint', '--source-dir', dir, '--output=json', '--no-input', '--no-config-discovery'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
} catch (e) {
  out = e.stdout; // web-ext exits non-zero when there are errors; the JSON still says which
}
const report = JSON.parse(out);
for (const w of report.warnings) console.log(`web-ext lint warning ${w.code}: ${w.message} (${w.file ?? ''})`);
for (const e of report.errors) console.log(`web-ext lint ERROR ${e.code}: ${e.message} (${e.file ?? ''})`);
console.log(`web-ext lint ${dir}: ${report.errors.length} errors, ${report.warnings.length} warnings`);
process.exit(report.errors.length === 0 ? 0 : 1);
