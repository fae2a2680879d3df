// xsign-doctor's entry point: the process around runCli (src/cli/main.ts).
import './thread-pool.ts'; // first: before anything starts libuv's pool
import { runCli } from './main.ts';
import { createNodeHttpFetch } from './node-http-fetch.ts';

const http = createNodeHttpFetch(); // not the global fetch: docs/design.md#cli-http
runCli(process.argv.slice(2), {
  env: process.env, fetch: http.fetch, stdin: process.stdin,
  writeOut: (text) => void process.stdout.write(text),
  writeErr: (text) => void process.stderr.write(text),
}).then(
  // Exit once stdout has taken everything: a large --json report to a pipe may still be queued.
  (code) => {
    http.close();
    process.stdout.write('', () => process.exit(code));
  },
);
