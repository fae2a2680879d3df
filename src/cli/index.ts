// xsign-doctor: the command line on the same core as the extension.
// Exit codes: 0 success/healthy, 1 problems found or repair incomplete, 2 usage or connection errors.
import { parseArgs, UsageError } from './args.ts';
import { createMatrixClient } from '../core/matrix/client.ts';
import { MatrixApiError } from '../core/matrix/errors.ts';
import { runStatus } from './status.ts';
import { warnIfUnproven } from './homeserver-warning.ts';
import { isRepairCommand, REPAIR_HELP, runRepair } from './repair.ts';

const VERSION = '0.1.0';
const HELP = `xsign-doctor ${VERSION} — inspect and repair Matrix cross-signing identities

Usage:
  xsign-doctor whoami --homeserver URL [--token T]
  xsign-doctor status --homeserver URL [--token T] [--recovery-key K | --passphrase P] [--json | --diagnostic]
  xsign-doctor --version

status inspects the account's cross-signing keys, devices, secret storage and key backup, and
lists each problem with its repair. Exit 0: healthy; 1: problems found; 2: usage or connection
error. --json prints the report as JSON; --diagnostic prints it with the raw server JSON
(ciphertexts, key checks and device names redacted) for bug reports.

The access token is read from XSIGN_TOKEN when --token is not given, the recovery key from
XSIGN_RECOVERY_KEY and the passphrase from XSIGN_PASSPHRASE (prefer the variables: command
lines are visible to other users in process lists).

${REPAIR_HELP}`;

async function whoami(argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, { homeserver: 'string', token: 'string' });
  const homeserver = flags.homeserver;
  const token = (flags.token as string | undefined) ?? process.env.XSIGN_TOKEN;
  if (typeof homeserver !== 'string') throw new UsageError('--homeserver is required');
  if (!token) throw new UsageError('an access token is required: set XSIGN_TOKEN or pass --token');
  const client = createMatrixClient({ baseUrl: homeserver, accessToken: token, fetch });
  const me = await client.whoami();
  console.log(`${me.user_id} ${me.device_id ?? '(no device)'}`);
  await warnIfUnproven(me.user_id, client.baseUrl, fetch, (text) => console.error(text));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version') return console.log(VERSION), 0;
  if (!command || command === '--help' || command === 'help') return console.log(HELP), command ? 0 : 2;
  if (command === 'whoami') return whoami(rest);
  if (command === 'status') {
    return runStatus(rest, {
      env: process.env, fetch, out: (text) => console.log(text), err: (text) => console.error(text),
    });
  }
  if (isRepairCommand(command)) {
    return runRepair(command, rest, {
      env: process.env, fetch, out: (text) => console.log(text), err: (text) => console.error(text),
      errRaw: (text) => void process.stderr.write(text), stdin: process.stdin,
    });
  }
  throw new UsageError(`unknown command ${command}`);
}

main(process.argv.slice(2)).then(
  // Exit once stdout has taken everything: a large --json report to a pipe may still be queued.
  (code) => void process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    if (error instanceof UsageError) console.error(`xsign-doctor: ${error.message}\n\n${HELP}`);
    else if (error instanceof MatrixApiError) console.error(`xsign-doctor: ${error.message}`);
    else console.error(`xsign-doctor: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
