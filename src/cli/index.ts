// xsign-doctor's entry point: the process around runCli (src/cli/main.ts).
import './thread-pool.ts'; // first: before anything starts libuv's pool
import { withEarlyKeysQuery } from './early-read.ts';
import { createNodeHttpFetch } from './node-http-fetch.ts';

const argv = process.argv.slice(2);
const http = createNodeHttpFetch(); // not the global fetch: docs/design.md#cli-http
const { fetch, sent } = withEarlyKeysQuery(argv, process.env, http.fetch);

// The rest of the CLI loads while that request is out: the build makes it a file of its own
// (dist/cli/xsign-doctor-main.cjs, docs/design.md#cli-early-read).
void sent.then(() => import('./main.ts')).then(({ runCli }) => runCli(argv, {
  env: process.env, fetch, stdin: process.stdin,
  writeOut: (text) => void process.stdout.write(text),
  writeErr: (text) => void process.stderr.write(text),
})).then(
  // Exit once stdout has taken everything: a large --json report to a pipe may still be queued.
  (code) => {
    http.close();
    process.stdout.write('', () => process.exit(code));
  },
);
