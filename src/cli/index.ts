// xsign-doctor's entry point: the process around runCli (src/cli/main.ts).
import { runCli } from './main.ts';

runCli(process.argv.slice(2), {
  env: process.env, fetch, stdin: process.stdin,
  writeOut: (text) => void process.stdout.write(text),
  writeErr: (text) => void process.stderr.write(text),
}).then(
  // Exit once stdout has taken everything: a large --json report to a pipe may still be queued.
  (code) => void process.stdout.write('', () => process.exit(code)),
);
